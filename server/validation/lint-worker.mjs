// bpmnlint in a worker thread, for runtimes that cannot load it in-process (lint.ts tries that
// first). bpmnlint is CommonJS that requires ESM-only packages (min-dash): Node loads that
// natively, jest's module runtime cannot; a worker always runs on Node's own loader.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { BpmnModdle } from 'bpmn-moddle';

const require = createRequire(import.meta.url);
const { Linter } = require('bpmnlint');
const StaticResolver = require('bpmnlint/lib/resolver/static-resolver');
const recommended = require('bpmnlint/config/recommended');
const moddle = new BpmnModdle({
  camunda: require('camunda-bpmn-moddle/resources/camunda.json'),
  tthc: require('./tthc-moddle.json'),
});

const cache = { 'config:bpmnlint/recommended': recommended };
for (const name of Object.keys(recommended.rules)) cache[`rule:bpmnlint/${name}`] = require(`bpmnlint/rules/${name}`);
const resolver = new StaticResolver(cache);

parentPort.on('message', async ({ id, xml }) => {
  try {
    const { rootElement } = await moddle.fromXML(xml, 'bpmn:Definitions');
    // A fresh Linter per run: it caches rule instances, and some rules (no-duplicate-sequence-flows)
    // keep state in them, which would report one model's flows as duplicates of the previous one's.
    const linter = new Linter({ config: { extends: 'bpmnlint:recommended' }, resolver });
    const results = await linter.lint(rootElement);
    const reports = [];
    for (const [rule, list] of Object.entries(results)) {
      for (const r of list) reports.push({ rule, id: r.id, message: r.message, category: r.category });
    }
    parentPort.postMessage({ id, reports });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message ? err.message : err) });
  }
});
