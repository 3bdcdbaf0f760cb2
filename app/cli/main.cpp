// latentlab-cli: train, inspect and use autoencoders without a window.
#include "Args.h"
#include "Commands.h"

#include "latentlab/BuildInfo.h"
#include "latentlab/Multiply.h"

#include <QGuiApplication>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <new>

namespace {
const char* kUsage = R"(usage: latentlab-cli [--multiply auto|eigen|openblas|onednn] <command> [options]
       latentlab-cli --version

commands:
  train     --preset NAME | --config FILE  [--dataset D] [--epochs N] [--batch-size N]
            [--lr X] [--latent-dim K] [--beta X] [--seed N] [--threads N]
            [--samples N] [--noise X] [--header auto|yes|no] [--hold-out-class N] [--metrics]
            --out DIR
            --hold-out-class leaves that class out of training (anomaly detection);
            --metrics measures the codes after every epoch into DIR/metrics.csv
            Ctrl-C stops after the current mini-batch and saves; a second one quits
  train     --resume DIR|FILE --epochs N [--threads N] [--metrics] --out DIR
            goes on exactly where the run stopped, to N epochs in all
  encode    --model DIR --out FILE.csv [--dataset D]
  decode    --model DIR --z "0.5,-1.2" --out FILE.png|FILE.csv
  sample    --model DIR [--count N] [--seed S] --out FILE.png|FILE.csv
  eval      --model DIR [--dataset D]
  eval      --model DIR --anomaly-class N [--threshold-quantile 0.95]
            the test part's reconstruction errors as anomaly scores for class N: ROC AUC,
            and precision and recall above that quantile of the normal training errors
  plot      --model DIR --kind latent|pca|loss|metrics|grid|interpolation|anomaly|roc
            --out FILE.png|FILE.svg|FILE.pdf [--dataset D] [--dims 0,1] [--grid N] [--spread S]
            [--between I,J] [--from-z "x,y"] [--to-z "x,y"] [--steps N] [--linear]
            [--anomaly-class N] [--size WxH] [--dpi N]
            the latent plane, PCA of the same data, the loss curves, the figures of
            metrics.csv per epoch (train --metrics), a grid of decoded
            images over the plane (a VAE's spaced by the prior's quantiles), or the decoded
            path between samples I and J or points of the latent space (spherical for a
            VAE unless --linear), the
            histograms of test errors for normal samples and class N, or the ROC curve;
            --size in points (1/72 inch; the page of an SVG or PDF), --dpi for a PNG
            (pixels = points x dpi / 72; default 144)
  export    --model DIR --format onnx --out DIR
            encoder.onnx and decoder.onnx (opset 13) that take and give the data's own
            units, the normalisation built in; a VAE's encoder gives mean and log_variance
  export    --model DIR --format pytorch --out DIR [--dataset D]
            a Python package: the model as torch.nn modules, its weights, the training
            data, and train.py, which continues training (one process or torchrun)
  import    --package DIR [--checkpoint DIR] --out FILE.llmodel
            the package's model with the weights train.py saved, its history extended
  presets   list the presets
  datasets  list the datasets and where they were found
  bench     [--preset fashion-vae] [--threads N] [--batch-size N] [--warmup BATCHES]
            [--samples N] [--gemm-size N] [--no-gemm] [--json]
            training samples/s over one epoch after a warm-up, the GEMM rates of Eigen and
            of the engine's own multiply, and the fractions of their bounds
  bench     --tiles   every multiply of the build timed on the dense layers' tiles

--multiply (anywhere on the line, or LATENTLAB_MULTIPLY in the environment) overrides the
engine's choice of matrix multiply; --version shows that choice and why it was made.

Errors exit with status 2 and one line on stderr.
)";

// Takes "--multiply X" out of args and hands X to the engine; true if there was none or it
// is usable here, else prints why on stderr.
bool applyMultiplyOption(QStringList& args) {
    const qsizetype at = args.indexOf("--multiply");
    if (at < 0) return true;
    if (at + 1 >= args.size()) {
        std::fputs("latentlab-cli: --multiply needs a value: auto, eigen, openblas or onednn\n", stderr);
        return false;
    }
    const QString value = args.at(at + 1);
    args.remove(at, 2);
    try {
        latentlab::setMultiplyRequest(value.toStdString());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "latentlab-cli: --multiply: %s\n", e.what());
        return false;
    }
    return true;
}
// Qt's offscreen platform asks for a runtime folder that headless machines often lack;
// the CLI never uses it, so that one warning is noise. Everything else goes to stderr.
void messageHandler(QtMsgType type, const QMessageLogContext&, const QString& msg) {
    if (type == QtDebugMsg || msg.startsWith("QStandardPaths: XDG_RUNTIME_DIR")) return;
    std::fprintf(stderr, "%s\n", qPrintable(msg));
}
} // namespace

int main(int argc, char** argv) {
    // The CLI never opens a window; plots are painted offscreen.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    qInstallMessageHandler(messageHandler);
    QGuiApplication app(argc, argv);
    QStringList args = QCoreApplication::arguments().mid(1);
    if (!applyMultiplyOption(args)) return 2;
    if (const std::string error = latentlab::multiplyRequestError(); !error.empty()) {
        std::fprintf(stderr, "latentlab-cli: %s\n", error.c_str());
        return 2;
    }
    if (!args.isEmpty() && args.first() == "--version") {
        const latentlab::MultiplyChoice& m = latentlab::multiplyChoice();
        std::printf("latentlab-cli %s\nmultiply: %s (%s)\n", LATENTLAB_VERSION, m.label.c_str(), m.reason.c_str());
        std::printf("libraries: Qt %s", qVersion());
        for (const latentlab::LibraryVersion& l : latentlab::engineLibraries())
            std::printf(", %s %s", l.name.c_str(), l.version.c_str());
        std::printf("\n");
        return 0;
    }
    if (args.isEmpty() || args.first() == "--help" || args.first() == "-h" || args.first() == "help") {
        std::fputs(kUsage, args.isEmpty() ? stderr : stdout);
        return args.isEmpty() ? 2 : 0;
    }
    using namespace latentlab::cli;
    const std::map<QString, std::function<int(const QStringList&)>> commands{
        {"train", runTrain},   {"encode", runEncode},   {"decode", runDecode},    {"sample", runSample},
        {"eval", runEval},     {"plot", runPlot},       {"presets", runPresets}, {"datasets", runDatasets}, {"bench", runBench},
        {"export", runExport}, {"import", runImport},
    };
    const QString name = args.takeFirst();
    const auto it = commands.find(name);
    if (it == commands.end()) {
        std::fprintf(stderr, "latentlab-cli: unknown command '%s' (try --help)\n", qPrintable(name));
        return 2;
    }
    try {
        return it->second(args);
    } catch (const std::bad_alloc&) {
        // Commands name what they allocate where they can; this is what remains.
        std::fprintf(stderr, "latentlab-cli %s: error: out of memory\n", qPrintable(name));
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "latentlab-cli %s: error: %s\n", qPrintable(name), e.what());
        return 2;
    }
}
