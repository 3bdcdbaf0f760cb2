// How long idle OpenMP threads spin before they sleep, chosen before libgomp starts.
//
// libgomp reads OMP_WAIT_POLICY and GOMP_SPINCOUNT once, in its constructor, before main()
// runs, and by default lets an idle thread spin for ~300,000 iterations. On a 2-core
// machine a spinning training thread takes the core the window or another program needs,
// and two-thread training collapsed (~1.3k samples/s) whenever a core was busy elsewhere.
//
// A function in the executable's .preinit_array runs before the constructors of every
// shared library, libgomp's included. Calling setenv() there is not enough, though: with
// glibc (2.36 here) libc's own constructor, which runs next, sets `environ` to the
// process's original environment array again, and the variable is gone before libgomp
// looks. So when neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT is set, the function executes
// the program again (/proc/self/exe, same pid, same arguments) with the assignment the
// build chose (the LATENTLAB_OPENMP_WAITING macro, e.g. "GOMP_SPINCOUNT=10000") added to
// the environment. That costs a few milliseconds at start-up, before any library
// has initialised itself; if the exec fails, the program runs on with libgomp's default.
//
// Each executable compiles this file with its own choice (app/CMakeLists.txt): the CLI a
// short spin (GOMP_SPINCOUNT=10000: back-to-back parallel regions of a training step stay
// cheap, then the core is given back), the window OMP_WAIT_POLICY=passive (a waiting thread
// sleeps at once; see app/gui/README.md for the measurements). A user's own setting wins.
// The file is linked as an object: a static library would drop it, as nothing refers to it.
#include <cstring>

#include <unistd.h>

namespace {

constexpr const char* kPolicy = LATENTLAB_OPENMP_WAITING;

bool hasVariable(char** envp, const char* prefix, size_t n) {
    for (char** e = envp; *e; ++e)
        if (std::strncmp(*e, prefix, n) == 0) return true;
    return false;
}
bool hasVariable(char** envp, const char* prefix) { return hasVariable(envp, prefix, std::strlen(prefix)); }

// Runs before libc is initialised: no allocation, no getenv() (environ is not set yet).
void ensureOpenMpWaitPolicy(int, char** argv, char** envp) {
    if (!argv || !argv[0] || !envp || hasVariable(envp, "OMP_WAIT_POLICY=") || hasVariable(envp, "GOMP_SPINCOUNT="))
        return;
    // The chosen variable itself present ends it too, whatever it is: never a second exec.
    const char* equals = std::strchr(kPolicy, '=');
    if (!equals || hasVariable(envp, kPolicy, size_t(equals - kPolicy) + 1)) return;
    static char* environment[2048];
    size_t n = 0;
    while (envp[n]) ++n;
    if (n + 2 > sizeof(environment) / sizeof(environment[0])) return;
    for (size_t i = 0; i < n; ++i) environment[i] = envp[i];
    environment[n] = const_cast<char*>(kPolicy);
    environment[n + 1] = nullptr;
    execve("/proc/self/exe", argv, environment);
    // Only returns if the exec failed: go on as we are.
}

} // namespace

// glibc calls the functions of .preinit_array with (argc, argv, envp).
__attribute__((section(".preinit_array"), used)) static void (*const g_ensureOpenMpWaitPolicy)(int, char**, char**) =
    &ensureOpenMpWaitPolicy;
