import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { TEMPLATES } from '../src/tthc/templates.js';
import { fixture, repoRoot } from './helpers.js';

async function lint(xml: string): Promise<Array<{ rule: string; id: string; category: string }>> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'designer/test/lint-cli.ts')], { input: xml, cwd: repoRoot });
  return JSON.parse(out.toString('utf8'));
}

describe('browser lint configuration', () => {
  it('finds no errors in the standard template', async () => {
    const reports = await lint(TEMPLATES.standard('Cấp phiếu lý lịch tư pháp'));
    expect(reports.filter((r) => r.category === 'error')).toEqual([]);
  });

  it('reports a disconnected, unnamed step in the blank template', async () => {
    const xml = TEMPLATES.blank('x').replace('</bpmn:process>', '<bpmn:userTask id="Loose" /></bpmn:process>');
    const reports = await lint(xml);
    expect(reports).toEqual(expect.arrayContaining([
      expect.objectContaining({ rule: 'no-disconnected', id: 'Loose', category: 'error' }),
      expect.objectContaining({ rule: 'label-required', id: 'Loose', category: 'warn' }),
    ]));
  });

  it('gives the same answer when run twice (rules with state get a fresh linter)', async () => {
    const xml = fixture('branching.bpmn');
    expect(await lint(xml)).toEqual(await lint(xml));
  });
});
