#include "Args.h"
#include "Commands.h"

#include "RunConfig.h"

#include "latentlab/Catalogue.h"

#include <cstdio>

namespace latentlab::cli {

int runPresets(const QStringList& args) {
    Args a(args, {});
    for (const QString& name : app::presetNames()) {
        const app::RunConfig c = app::loadPreset(name);
        std::printf("%-16s %s%s\n", qPrintable(name), qPrintable(c.description),
                    name == app::defaultPresetName() ? " (default)" : "");
    }
    return 0;
}

int runDatasets(const QStringList& args) {
    Args a(args, {});
    const data::Catalogue catalogue;
    std::printf("data folder: %s\n", catalogue.dataDir().c_str());
    for (const auto& e : catalogue.entries())
        std::printf("%-14s %-10s %s\n    %s\n", e.name.c_str(), e.available ? "available" : "missing",
                    e.location.c_str(), e.description.c_str());
    return 0;
}

} // namespace latentlab::cli
