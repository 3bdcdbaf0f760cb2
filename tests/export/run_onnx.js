// Runs one ONNX file in ONNX Runtime (npm onnxruntime-node) for the export tests:
//   node run_onnx.js MODEL.onnx INPUT.f32 ROWS COLUMNS OUT_PREFIX
// INPUT.f32 holds ROWS x COLUMNS float32 values, row-major, fed to the model's one input.
// Each output is written to OUT_PREFIX<name>.f32 (float32, row-major), and one line of
// JSON on stdout names them with their dimensions. Any failure: a message, exit status 1.
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
    const [model, input, rows, columns, prefix] = process.argv.slice(2);
    if (!prefix) throw new Error('usage: node run_onnx.js MODEL.onnx INPUT.f32 ROWS COLUMNS OUT_PREFIX');
    const bytes = fs.readFileSync(input);
    const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const dims = [Number(rows), Number(columns)];
    if (values.length !== dims[0] * dims[1]) throw new Error(`${input}: ${values.length} values, not ${dims[0]} x ${dims[1]}`);
    const session = await ort.InferenceSession.create(model);
    if (session.inputNames.length !== 1) throw new Error(`${model}: ${session.inputNames.length} inputs, expected 1`);
    const results = await session.run({[session.inputNames[0]]: new ort.Tensor('float32', values, dims)});
    const report = {input: session.inputNames[0], outputs: {}};
    for (const name of session.outputNames) {
        const t = results[name];
        if (t.type !== 'float32') throw new Error(`${model}: output ${name} is ${t.type}`);
        fs.writeFileSync(prefix + name + '.f32', Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
        report.outputs[name] = t.dims;
    }
    console.log(JSON.stringify(report));
}

main().catch((e) => {
    console.error(String(e && e.message ? e.message : e));
    process.exit(1);
});
