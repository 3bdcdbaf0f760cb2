#include "OpenMpWaiting.h"

#include <cstdlib>
#include <unistd.h>

namespace latentlab::startup {

void chooseOpenMpWaiting(char** argv) {
    if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
    // Spinning this long keeps back-to-back parallel regions of one training step cheap;
    // after it the thread sleeps and the core is free. Set first, so the new image does
    // not come back here.
    if (setenv("GOMP_SPINCOUNT", LATENTLAB_GOMP_SPINCOUNT, 0) != 0) return;
    execv("/proc/self/exe", argv);
    // Still here: no /proc or no permission. Run with libgomp's default.
}

} // namespace latentlab::startup
