// The data and the model of one run, prepared from a RunConfig: the dataset is loaded, the
// normaliser fitted on its training part, the model built for its number of features.
// Shared by the CLI and the desktop program.
#pragma once

#include "RunConfig.h"

#include "latentlab/Batch.h"
#include "latentlab/Catalogue.h"
#include "latentlab/Model.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace latentlab::app {

// Loads what a DatasetSpec names (catalogue name, CSV or IDX path), without the training
// samples of spec.holdOutClass when one is set.
data::Dataset loadDataset(const DatasetSpec& spec, const data::Catalogue& catalogue);

DataView viewOf(const data::Dataset& dataset);

class Experiment {
public:
    // Throws ConfigFileError or data::DataError with a message naming what is wrong.
    static Experiment prepare(const RunConfig& config, const data::Catalogue& catalogue);
    // The same with the data already loaded for config.dataset: the desktop program keeps
    // it across resets rather than reading 70,000 images again.
    static Experiment prepare(const RunConfig& config, std::shared_ptr<const data::Dataset> dataset);

    RunConfig& config() { return m_config; }
    const RunConfig& config() const { return m_config; }
    const data::Dataset& dataset() const { return *m_dataset; }
    std::shared_ptr<const data::Dataset> sharedDataset() const { return m_dataset; }
    DataView view() const { return viewOf(*m_dataset); }
    Model& model() { return *m_model; }
    const Model& model() const { return *m_model; }

    // A model read from `source` takes the place of the new one (continuing its training);
    // ConfigFileError naming both when it does not fit the data.
    void adoptModel(std::unique_ptr<Model> model, const QString& source);

    // What the model file records about the data, so a loaded model can find it again.
    std::map<std::string, std::string> metadata() const;
    // CRC-32 of the samples and labels (app::datasetChecksum), computed once.
    uint32_t dataChecksum() const;

private:
    RunConfig m_config;
    std::shared_ptr<const data::Dataset> m_dataset;
    std::unique_ptr<Model> m_model;
    mutable std::optional<uint32_t> m_checksum;
};

// Settings that suit a dataset the user has just chosen, on top of `current`: the hidden
// widths and activation from the number of features, the batch size, learning rate and
// epochs from the number of training samples, and for a VAE a beta that keeps the code
// from collapsing under the loss in use. The model kind and the latent size stay (the
// latent size at most the number of features). `summary`, if given, says what was
// proposed and for what, in one sentence for the user.
RunConfig proposedFor(const RunConfig& current, const data::Dataset& dataset, QString* summary = nullptr);

// What training a configuration on a dataset needs in memory, roughly and from above.
struct MemoryEstimate {
    int64_t parameters = 0;
    double modelBytes = 0; // parameters, gradients, optimiser state, last finite copy
    double batchBytes = 0; // a batch's activations and gradients
    double total() const { return modelBytes + batchBytes; }
};
MemoryEstimate memoryEstimate(const RunConfig& config, const data::Dataset& dataset);
// Free memory (MemAvailable), or less under an address-space limit; infinite if unknown.
double availableMemoryBytes();
// ConfigFileError naming the size and the option to change when the estimate exceeds the
// available memory: refused before allocating, not a std::bad_alloc half-way.
void checkMemory(const RunConfig& config, const data::Dataset& dataset);

// Checks that a model fits a dataset (feature count); throws ConfigFileError naming both.
void checkModelFitsData(const Model& model, const data::Dataset& dataset, const QString& modelSource);

} // namespace latentlab::app
