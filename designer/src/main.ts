import './styles.css';
import { setUnauthorizedHandler } from './api.js';
import { onLangChange } from './i18n/index.js';
import { route, startRouter, navigate, render, currentPath } from './router.js';
import { currentUser, loadMe } from './session.js';
import { loginPage } from './pages/login.js';
import { cataloguePage } from './pages/catalogue.js';
import { procedurePage } from './pages/procedure.js';
import { inboxPage } from './pages/inbox.js';
import { layout } from './pages/layout.js';

route('/login', loginPage);
route('/procedures', layout(cataloguePage));
route('/procedures/:id', layout(procedurePage));
route('/inbox', layout(inboxPage));
route('/dossiers', layout(async (root) => (await import('./pages/dossiers/list.js')).dossierListPage(root)));
route('/dossiers/new', layout(async (root) => (await import('./pages/dossiers/receive.js')).receivePage(root)));
route('/dossiers/:id', layout(async (root, params) => (await import('./pages/dossiers/dossier.js')).dossierPage(root, params)));
// Citizen pages: reachable without login.
route('/public/file', async (root) => (await import('./pages/public/public.js')).publicFilePage(root));
route('/public', () => navigate('/public/lookup'));
route('/public/lookup', async (root) => (await import('./pages/public/public.js')).publicLookupPage(root));
route('/tasks', layout(async (root) => (await import('./pages/tasks/tasklist.js')).tasklistPage(root)));
route('/work/:id', layout(async (root, params) => (await import('./pages/tasks/work.js')).workPage(root, params as { id: string })));
route('/consultations', layout(async (root) => (await import('./pages/consultations/consultations.js')).consultationsPage(root)));
route('/consultations/:id', layout(async (root, params) => (await import('./pages/consultations/consultations.js')).consultationPage(root, params as { id: string })));
route('/sos', layout(async (root) => (await import('./pages/tasks/sos.js')).sosPage(root)));
route('/incidents', layout(async (root) => (await import('./pages/incidents/incidents.js')).incidentsPage(root)));
route('/portal-sync', layout(async (root) => (await import('./pages/portal/sync.js')).portalSyncPage(root)));
route('/versions/:id', layout(async (root, params) => (await import('./pages/version.js')).versionPage(root, params)));
// The modeler is the heavy part (bpmn-js, properties panel, exports): loaded only when opened.
route('/versions/:id/edit', layout(async (root, params) => (await import('./pages/editor.js')).editorPage(root, params)));

// Administration (issue 16): units, users and roles, calendar, audit.
const admin = () => import('./pages/admin/admin.js');
route('/admin/units', layout(async (root) => (await admin()).unitsPage(root)));
route('/admin/users', layout(async (root) => (await admin()).usersPage(root)));
route('/admin/calendar', layout(async (root) => (await admin()).calendarPage(root)));
route('/admin/audit', layout(async (root) => (await admin()).auditPage(root)));

setUnauthorizedHandler(() => {
  if (currentPath() !== '/login') navigate(`/login?next=${encodeURIComponent(currentPath())}`);
});
onLangChange(() => {
  document.documentElement.lang = localStorage.getItem('tthc.lang') ?? 'vi';
  // The modeler keeps its own state; everything else re-renders in the new language.
  if (!currentPath().endsWith('/edit')) void render();
});

let checked = false;
startRouter(document.getElementById('app')!, async (path) => {
  if (!checked) { checked = true; await loadMe(); }
  if (path === '/login' || path === '/public' || path.startsWith('/public/')) return null;
  return currentUser() ? null : `/login?next=${encodeURIComponent(path)}`;
});
