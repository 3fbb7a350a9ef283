import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpmnModdle } from 'bpmn-moddle';
import type { ModdleElement } from '../src/tthc/model.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

function readJson(rel: string): any {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, rel), 'utf8'));
}

/** The moddle the designer uses: Camunda 7 + our tthc:* attributes. */
export function createModdle(): any {
  return new BpmnModdle({
    camunda: readJson('node_modules/camunda-bpmn-moddle/resources/camunda.json'),
    tthc: readJson('server/validation/tthc-moddle.json'),
  });
}

export async function parse(xml: string): Promise<{ definitions: ModdleElement; warnings: unknown[]; moddle: any }> {
  const moddle = createModdle();
  const r = await moddle.fromXML(xml);
  return { definitions: r.rootElement, warnings: r.warnings, moddle };
}

export function fixture(name: string): string {
  return fs.readFileSync(path.join(here, 'fixtures', name), 'utf8');
}
