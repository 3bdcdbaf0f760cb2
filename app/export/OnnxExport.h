// A trained model as ONNX files that any ONNX runtime runs: the encoder (raw data to codes)
// and the decoder (codes to data), each with the model's normalisation built in, so a user
// feeds the same numbers the CLI's CSV files hold and gets the same numbers back.
//
//   encoder.onnx   x [batch, features] -> z [batch, K]           (autoencoder)
//                  x [batch, features] -> mean, log_variance [batch, K]   (VAE: its heads;
//                                                                 the code is the mean)
//   decoder.onnx   z [batch, K] -> x [batch, features]           (data units: the sigmoid of
//                                                                 a BCE model and the inverse
//                                                                 normalisation applied)
//
// Written with the ONNX project's own protobuf classes (libonnx), opset 13, IR version 8,
// checked by its checker before a byte is written; every layer kind and activation of the
// engine has its ONNX operator (Gemm, Conv, ConvTranspose, MaxPool, AveragePool, Resize,
// Flatten, Reshape; Relu, LeakyRelu, Elu, Tanh, Sigmoid).
#pragma once

#include "latentlab/Model.h"

#include <string>
#include <vector>

namespace latentlab::exporting {

struct OnnxExport {
    std::string name;    // the model's name, recorded in the files (e.g. the run's folder)
    std::string dataset; // recorded too, for whoever opens the file later
    std::string version; // of Latent Lab, the files' producer_version
};

// The serialized ModelProto of each network; std::runtime_error if the checker refuses one
// (a bug: every layer the engine builds has its operator).
std::string onnxEncoder(const Model& model, const OnnxExport& about);
std::string onnxDecoder(const Model& model, const OnnxExport& about);

// Writes encoder.onnx and decoder.onnx into `folder` (created if missing), each atomically;
// the paths written, in that order. std::runtime_error naming the file on failure.
std::vector<std::string> writeOnnx(const Model& model, const OnnxExport& about,
                                   const std::string& folder);

} // namespace latentlab::exporting
