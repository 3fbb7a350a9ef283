// Lints BPMN from stdin with the designer's browser lint configuration and prints the reports as
// JSON. A separate process because bpmnlint require()s ES modules, which jest's loader cannot.
import Linter from 'bpmnlint/lib/linter.js';
import { lintConfig, lintResolver } from '../src/modeler/live-validation/lint-config.js';
import { createModdle } from './helpers.js';

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const { rootElement } = await createModdle().fromXML(Buffer.concat(chunks).toString('utf8'));
const results = await new Linter({ config: lintConfig, resolver: lintResolver }).lint(rootElement);
console.log(JSON.stringify(Object.entries(results).flatMap(([rule, reports]) => reports.map((r) => ({ rule, id: r.id, category: r.category, message: r.message })))));
