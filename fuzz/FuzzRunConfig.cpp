// Fuzz target for run configurations (app/common/RunConfig.cpp): loadConfigFile, as the
// CLI's --config and the desktop program's run folders use it, then validate(). The loader
// takes a path, so each input goes through a scratch file.
#include "FuzzSupport.h"

#include "RunConfig.h"

using latentlab::app::ConfigFileError;
using latentlab::fuzz::finding;
using latentlab::fuzz::ScratchFile;

namespace {

// Runs one step; a ConfigFileError is the expected refusal and must contain `mustName`
// (the file for loading; validate() has no file and names the field after
// "configuration:", as documented in RunConfig.h).
template <typename Step> bool step(Step&& run, const std::string& mustName) {
    try {
        run();
        return true;
    } catch (const ConfigFileError& e) {
        latentlab::fuzz::refusedNaming(e, "ConfigFileError", mustName);
    } catch (const std::exception& e) {
        finding(std::string("a config step threw something other than ConfigFileError: ") +
                e.what());
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const ScratchFile file(".json");
    const std::string& path = file.write(data, size);
    latentlab::app::RunConfig config;
    if (!step([&] { config = latentlab::app::loadConfigFile(QString::fromStdString(path)); },
              path))
        return 0;
    if (!step([&] { config.validate(); }, "configuration: "))
        return 0;
    // What was read and validated must write back and read again unchanged: run folders
    // store it as config.json.
    step(
        [&] {
            const auto again = latentlab::app::RunConfig::fromJson(config.toJson(), "round trip");
            again.validate();
            if (again.toJson() != config.toJson())
                finding("a config does not survive toJson/fromJson unchanged");
        },
        "round trip");
    return 0;
}
