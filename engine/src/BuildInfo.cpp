#include "latentlab/BuildInfo.h"

#include "latentlab/Multiply.h"

#include <Eigen/Core>

namespace latentlab {

namespace {
// The OpenMP specification a _OPENMP date stands for.
std::string openMpVersion(long date) {
    const char* spec = date >= 202111 ? "5.2"
                       : date >= 202011 ? "5.1"
                       : date >= 201811 ? "5.0"
                       : date >= 201511 ? "4.5"
                       : date >= 201307 ? "4.0"
                       : date >= 201107 ? "3.1"
                                        : "3.0 or older";
    return std::string(spec) + " (" + std::to_string(date) + ")";
}

// "OpenBLAS 0.3.21" -> "0.3.21"
std::string afterName(const std::string& text) {
    const size_t space = text.find(' ');
    return space == std::string::npos ? text : text.substr(space + 1);
}
} // namespace

std::vector<LibraryVersion> engineLibraries() {
    std::vector<LibraryVersion> out;
    out.push_back({"Eigen", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                                std::to_string(EIGEN_MINOR_VERSION)});
#ifdef _OPENMP
    out.push_back({"OpenMP", openMpVersion(_OPENMP)});
#endif
    const MultiplyFacts facts = detectMultiplyFacts();
    if (facts.openBlasLinked)
        out.push_back({"OpenBLAS", (facts.openBlasVersion.empty() ? std::string("unknown version")
                                                                  : afterName(facts.openBlasVersion)) +
                                       (facts.openBlasKernel.empty() ? "" : " (" + facts.openBlasKernel + " kernel)")});
    if (facts.oneDnnLinked)
        out.push_back({"oneDNN", (facts.oneDnnVersion.empty() ? std::string("unknown version")
                                                              : afterName(facts.oneDnnVersion)) +
                                     (facts.oneDnnIsa.empty() ? "" : " (" + facts.oneDnnIsa + ")")});
    return out;
}

} // namespace latentlab
