// bench/libtorch/process.cpp: what libtorch_reference runs with (OpenBLAS, the allocator, the
// environment) and the child runs of its --best search (this program again, /proc/self/exe).

#include "reference.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

extern char** environ;

namespace ref {

std::string gArgv0 = kProgram;

std::optional<std::string> environment(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
}

// Asks the OpenBLAS libtorch loaded (libblas.so.3 -> libopenblas.so.0 on Debian) through the
// global symbol scope; nothing is reported if the BLAS in use is not OpenBLAS.
BlasInfo openblasInfo() {
    BlasInfo info;
    if (auto* f = dlsym(RTLD_DEFAULT, "openblas_get_num_threads")) {
        info.threads = reinterpret_cast<int (*)()>(f)();
    }
    if (auto* f = dlsym(RTLD_DEFAULT, "openblas_get_config")) {
        if (const char* s = reinterpret_cast<char* (*)()>(f)()) info.config = s;
    }
    if (auto* f = dlsym(RTLD_DEFAULT, "openblas_get_corename")) {
        if (const char* s = reinterpret_cast<char* (*)()>(f)()) info.core = s;
    }
    return info;
}

std::string allocatorInUse() {
    // Both export their own entry points besides malloc; glibc has neither.
    if (dlsym(RTLD_DEFAULT, "mallctl") != nullptr) return "jemalloc";
    if (dlsym(RTLD_DEFAULT, "tc_malloc") != nullptr) return "tcmalloc";
    const auto tunables = environment("GLIBC_TUNABLES").value_or("");
    const bool tuned = environment("MALLOC_MMAP_THRESHOLD_") ||
                       environment("MALLOC_TRIM_THRESHOLD_") ||
                       tunables.find("glibc.malloc.mmap_threshold") != std::string::npos ||
                       tunables.find("glibc.malloc.trim_threshold") != std::string::npos;
    return tuned ? "glibc-tuned" : "glibc";
}

std::optional<std::string> mallocSettings() {
    std::vector<std::string> found;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string entry = *e;
        if (entry.rfind("MALLOC_", 0) == 0 || entry.rfind("GLIBC_TUNABLES=", 0) == 0) {
            found.push_back(entry);
        }
    }
    if (found.empty()) return std::nullopt;
    std::sort(found.begin(), found.end());
    std::string text;
    for (const auto& f : found) text += (text.empty() ? "" : " ") + f;
    return text;
}

std::set<std::string> cpuFlags() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("flags", 0) == 0) {
            const auto colon = line.find(':');
            std::set<std::string> flags;
            std::stringstream words(colon == std::string::npos ? "" : line.substr(colon + 1));
            std::string w;
            while (words >> w) flags.insert(w);
            return flags;
        }
    }
    return {};
}

std::vector<std::string> environmentWithout(const std::vector<std::string>& names) {
    std::vector<std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string entry = *e;
        const bool dropped = std::any_of(names.begin(), names.end(), [&](const std::string& n) {
            return entry.compare(0, n.size() + 1, n + "=") == 0;
        });
        if (!dropped) env.push_back(entry);
    }
    return env;
}

// Runs this program again with args and env; stdout is captured, stderr passed through.
ChildOutput runSelf(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    std::vector<char*> argv{const_cast<char*>(gArgv0.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) fail("cannot create a pipe (" + errnoText() + ")");
    std::cout.flush();
    std::fflush(nullptr); // nothing buffered may be written twice
    const pid_t pid = fork();
    if (pid < 0) fail("cannot start a run (fork: " + errnoText() + ")");
    if (pid == 0) { // the child: only async-signal-safe calls until exec
        if (dup2(fds[1], STDOUT_FILENO) < 0) _exit(127);
        execve("/proc/self/exe", argv.data(), envp.data());
        const char msg[] = "libtorch_reference: cannot run /proc/self/exe\n";
        (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
        _exit(127);
    }
    close(fds[1]);
    ChildOutput result;
    char buffer[4096];
    for (;;) {
        const ssize_t got = read(fds[0], buffer, sizeof buffer);
        if (got > 0) result.out.append(buffer, std::size_t(got));
        else if (got == 0 || errno != EINTR) break;
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) fail("cannot wait for a run (" + errnoText() + ")");
    }
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::string lastLine(const std::string& text) {
    std::stringstream in(text);
    std::string line, last;
    while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
    }
    return last;
}

} // namespace ref
