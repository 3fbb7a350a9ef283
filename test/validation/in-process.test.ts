import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createValidator } from '../../server/validation/index.js';
import { goodXml } from './fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Under jest bpmnlint runs in the worker; under Node (npm start) in-process on the parsed model.
 * Both must report the same findings: run the in-process path in a real Node child and compare.
 */
describe('bpmnlint in-process (as npm start runs it) and in the worker (as jest runs it) agree', () => {
  it('on a model with lint errors', async () => {
    const xml = goodXml().replace(/<bpmn:sequenceFlow id="(Flow_\d+)" sourceRef="Step_B4" targetRef="EndEvent_Done" \/>/, '');
    const script = `
      import { createValidator, lintMode } from './server/validation/index.js';
      const xml = ${JSON.stringify(xml)};
      const r = await createValidator().validate(xml);
      console.log(JSON.stringify({ mode: lintMode, findings: r.findings }));
      process.exit(0);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, timeout: 60_000 });
    const child = JSON.parse(stdout.trim().split('\n').at(-1)!) as { mode: string; findings: unknown[] };
    expect(child.mode).toBe('in-process');
    const here = await createValidator().validate(xml);
    expect(child.findings.length).toBeGreaterThan(0);
    expect(child.findings).toEqual(here.findings);
  });
});
