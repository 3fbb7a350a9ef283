/** A tiny hash router: '#/versions/:id' → handler({id}). */
export type Params = Record<string, string>;
export type PageHandler = (root: HTMLElement, params: Params) => void | (() => void) | Promise<void | (() => void)>;

const routes: Array<{ pattern: RegExp; keys: string[]; handler: PageHandler }> = [];

export function route(path: string, handler: PageHandler): void {
  const keys: string[] = [];
  const pattern = new RegExp('^' + path.replace(/:(\w+)/g, (_, k: string) => { keys.push(k); return '([^/]+)'; }) + '$');
  routes.push({ pattern, keys, handler });
}

export function navigate(path: string): void {
  if (location.hash === '#' + path) void render();
  else location.hash = path;
}

export function currentPath(): string {
  return location.hash.replace(/^#/, '').split('?')[0] || '/';
}

export function queryParam(name: string): string | null {
  const q = location.hash.split('?')[1];
  return q ? new URLSearchParams(q).get(name) : null;
}

let root: HTMLElement;
let cleanup: void | (() => void);
let renders = 0;
let started = 0;
let before: (path: string) => Promise<string | null> = async () => null;

export function startRouter(el: HTMLElement, guard: (path: string) => Promise<string | null>): void {
  root = el;
  before = guard;
  window.addEventListener('hashchange', () => void render());
  void render();
}

/**
 * The app's root is aria-busy from the moment a render starts (a language switch, a navigation)
 * until the last one started has finished: assistive technology waits, and so can a browser test.
 */
export async function render(): Promise<void> {
  const ticket = ++started;
  root.setAttribute('aria-busy', 'true');
  try {
    await renderPath();
  } finally {
    if (ticket === started) root.removeAttribute('aria-busy');
  }
}

async function renderPath(): Promise<void> {
  const path = currentPath();
  const redirect = await before(path);
  if (redirect && redirect !== path) {
    navigate(redirect);
    return;
  }
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    const params: Params = {};
    r.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]!); });
    // Each render gets its own element: a page still loading when the user moves on writes into
    // a detached element instead of the new page.
    const mine = ++renders;
    const el = document.createElement('div');
    el.className = 'route';
    root.replaceChildren(el);
    const done = await r.handler(el, params);
    if (mine === renders) cleanup = done;
    else if (typeof done === 'function') done();
    return;
  }
  navigate('/procedures');
}
