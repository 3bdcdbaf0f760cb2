// Ctrl-C (SIGINT) and SIGTERM for `train`: the first signal asks the command to stop at the
// next mini-batch and finish a consistent save; a second one ends the process at once
// (status 128 + signal), removing the run folder being written so that the old run, if
// any, stays as it was.
#pragma once

namespace latentlab::cli {

void installInterruptHandlers();
// The first signal received, 0 if none.
int interruptSignal();

} // namespace latentlab::cli
