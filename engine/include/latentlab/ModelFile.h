// The model file (.llmodel): one versioned, self-describing file holding the architecture,
// the normalisation, every weight, the optimiser's state and free-form metadata (dataset,
// epochs trained, ...). Weights are stored as float32 whatever the engine's Scalar.
#pragma once

#include "latentlab/Model.h"
#include "latentlab/Optimizer.h"
#include "latentlab/TrainerPosition.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace latentlab {

// 1: dense widths only. 2: layer specs, the input shape, each parameter's shape, the
// optimiser's slots by parameter name. Version 1 files still open.
constexpr uint32_t kModelFormatVersion = 2;

struct SavedModel {
    std::unique_ptr<Model> model;
    OptimizerConfig optimizerConfig;
    OptimizerState optimizerState; // empty if none was saved; matches model's parameters
    long long optimizerSteps = 0;
    // Where training stood when saved, if the writer said (Trainer::position): then
    // Trainer::resume continues exactly. Its order and batch are checked by resume().
    std::optional<TrainerPosition> position;
    std::map<std::string, std::string> metadata;
};

// Serialises the model (and the optimiser and the trainer's position, if given) to the
// file's bytes.
std::string serializeModel(Model& model, const Optimizer* optimizer,
                           const OptimizerConfig& optimizerConfig,
                           const std::map<std::string, std::string>& metadata,
                           const TrainerPosition* position = nullptr);
// Parses bytes; `source` names the file in error messages. Throws FileError.
SavedModel deserializeModel(const std::string& bytes, const std::string& source);

// File versions of the above; saving is atomic (temp file + rename).
void saveModel(const std::string& path, Model& model, const Optimizer* optimizer,
               const OptimizerConfig& optimizerConfig,
               const std::map<std::string, std::string>& metadata);
SavedModel loadModel(const std::string& path);

} // namespace latentlab
