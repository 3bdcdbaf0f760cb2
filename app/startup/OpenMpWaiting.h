// How long idle OpenMP threads spin before they sleep, chosen before libgomp starts.
#pragma once

namespace latentlab::startup {

// libgomp reads OMP_WAIT_POLICY and GOMP_SPINCOUNT once, when it is loaded, before main()
// runs (an environment variable set in main(), or even in .preinit_array, is never seen:
// the C library resets the environment after that). Its default lets an idle thread spin
// for ~300,000 iterations, so on a machine whose cores are also wanted by the window or
// another program the engine's threads burn the time slices the others need, and training
// collapses whenever one of its threads is descheduled.
//
// Call first thing in main(): when neither variable is set, it sets a short spin count and
// re-executes the program (/proc/self/exe, same arguments) so libgomp starts with it. A
// value the user set is kept. If re-executing fails, the program simply goes on.
void chooseOpenMpWaiting(char** argv);

} // namespace latentlab::startup
