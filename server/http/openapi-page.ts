/**
 * A readable page of the OpenAPI document, rendered on the server (no script, no CDN): operations
 * grouped by tag, each with its permission, parameters, request body and response schema.
 */
type Json = Record<string, unknown>;

const esc = (s: unknown) => (typeof s === 'string' ? s : s === undefined || s === null ? '' : JSON.stringify(s)).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pretty = (v: unknown) => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;

export function renderOpenApiPage(document: Json): string {
  const info = document.info as Json;
  const paths = document.paths as Record<string, Record<string, Json>>;
  const byTag = new Map<string, Array<{ method: string; path: string; op: Json }>>();
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op.tags as string[] | undefined)?.[0] ?? 'api';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push({ method, path, op });
    }
  }
  const tags = [...byTag.keys()].sort((a, b) => Number(a.startsWith('engine-rest')) - Number(b.startsWith('engine-rest')) || a.localeCompare(b));
  const section = (tag: string) => {
    const ops = byTag.get(tag)!.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
    return `<section id="${esc(tag)}"><h2>${esc(tag)}</h2>${ops.map(({ method, path, op }) => {
      const params = (op.parameters as Json[] | undefined) ?? [];
      const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
      const responses = op.responses as Record<string, Json>;
      const ok = Object.entries(responses).find(([code]) => code.startsWith('2'));
      const okContent = ok?.[1].content as Record<string, Json> | undefined;
      return `<details id="${esc(op.operationId)}"><summary><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code> — ${esc(op.summary)}</summary>
<p>${esc(op.description).replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\n\n/g, '<br>')}</p>
${params.length ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${params.map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : ''}</td><td><code>${esc(JSON.stringify(p.schema))}</code></td></tr>`).join('')}</table>` : ''}
${body ? Object.entries(body).map(([type, c]) => `<h4>Request body (${esc(type)})</h4>${pretty(c.schema)}`).join('') : ''}
${ok ? `<h4>Response ${esc(ok[0])}${okContent ? ` (${esc(Object.keys(okContent)[0])})` : ''}</h4>${okContent ? pretty(Object.values(okContent)[0]!.schema) : ''}` : ''}
</details>`;
    }).join('\n')}</section>`;
  };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)} — API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:0 auto;padding:1rem 1.5rem;color:#1d2330}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #c8102e;padding-bottom:.2rem;margin-top:2rem}
details{border:1px solid #d5d9e0;border-radius:6px;margin:.4rem 0;padding:.3rem .7rem}
summary{cursor:pointer} pre{background:#f4f6f8;padding:.6rem;overflow:auto;font-size:13px}
table{border-collapse:collapse;font-size:14px} td,th{border:1px solid #d5d9e0;padding:.2rem .5rem;text-align:left}
.m{display:inline-block;min-width:4.2em;font-weight:700;font-family:monospace}
.get{color:#0b6e2f}.post{color:#0645ad}.put,.patch{color:#8a5300}.delete{color:#b00020}
nav a{margin-right:.8rem}
</style></head><body>
<h1>${esc(info.title)}</h1><p>Version ${esc(info.version)} · OpenAPI ${esc(document.openapi)} · <a href="/api/openapi.json">openapi.json</a></p>
<p>${esc(info.description)}</p>
<nav>${tags.map((t) => `<a href="#${esc(t)}">${esc(t)}</a>`).join('')}</nav>
${tags.map(section).join('\n')}
</body></html>`;
}
