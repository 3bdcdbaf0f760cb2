#include "Interrupt.h"

#include "RunFolder.h"

#include <atomic>
#include <csignal>
#include <cstring>
#include <unistd.h>

namespace latentlab::cli {

namespace {

std::atomic<int> g_count{0};
std::atomic<int> g_first{0};

void say(const char* text) {
    const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
    (void)ignored;
}

void onSignal(int signal) {
    if (g_count.fetch_add(1) == 0) {
        g_first.store(signal);
        say("\nlatentlab-cli: stopping after this mini-batch and saving what was trained; "
            "interrupt again to quit without saving\n");
        return;
    }
    if (app::removeStagingFromSignalHandler())
        say("\nlatentlab-cli: quit; the run had already been saved\n");
    else
        say("\nlatentlab-cli: quit; nothing of this run was saved, the folder is as it was\n");
    ::_exit(128 + signal);
}

} // namespace

void installInterruptHandlers() {
    static_assert(std::atomic<int>::is_always_lock_free, "signal handlers need lock-free atomics");
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

int interruptSignal() { return g_first.load(); }

} // namespace latentlab::cli
