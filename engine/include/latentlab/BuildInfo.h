// The libraries the engine was built with and runs on, with their versions, for
// `latentlab-cli --version` and the window's About box.
#pragma once

#include <string>
#include <vector>

namespace latentlab {

struct LibraryVersion {
    std::string name;    // "Eigen", "OpenMP", "OpenBLAS", "oneDNN"
    std::string version; // "3.4.0"; for OpenMP the specification, "4.5 (201511)"
};

// Eigen and OpenMP always; OpenBLAS and oneDNN when the build linked them (their
// versions as the loaded libraries report them).
std::vector<LibraryVersion> engineLibraries();

} // namespace latentlab
