// The dashboard's entry: sign-in, then three views (Deployments, Jobs, Playground) routed by the
// URL hash, all fed by GET /v1/holdfast/events (deployments snapshots, job changes).
import { api, ApiError, setCsrfToken, type DeploymentRow, type HistoryPoint } from './api.js';
import { byId, clear, h, offscreen } from './dom.js';
import { live, type LiveStream } from './live.js';
import { addHistory, deploymentsHeader, renderCharts, renderDeploymentsTable, sampleRows } from './deployments.js';
import { loadJobs, showJob } from './jobs.js';
import { setUpPlayground } from './playground.js';

interface Session { signed_in: boolean; csrf_token: string | null }

let feed: LiveStream | undefined;
let leaveJob: (() => void) | undefined;
let listTimer: number | undefined;
let lastRows: DeploymentRow[] = [];

function showError(error: unknown): void {
  if (error instanceof ApiError && (error.status === 401 || error.code === 'admin_required')) {
    signedOut('Your session ended; sign in again.');
    return;
  }
  clear(byId('error'), error instanceof Error ? error.message : String(error));
}

function setConnection(state: 'live' | 'reconnecting'): void {
  const el = byId('connection');
  el.dataset.state = state;
  clear(el, h('span', { 'aria-hidden': 'true' }, state === 'live' ? '●' : '○'), state === 'live' ? ' Live' : ' Reconnecting…');
}

function signedOut(message = ''): void {
  feed?.close();
  feed = undefined;
  setCsrfToken(null);
  byId('app').hidden = true;
  byId('signin').hidden = false;
  clear(byId('signin-error'), message);
  byId<HTMLInputElement>('admin-key').focus();
}

function jobsForm(): HTMLFormElement { return byId<HTMLFormElement>('job-filters'); }
function refreshJobs(): void {
  loadJobs(jobsForm(), byId('jobs-body'), byId<HTMLButtonElement>('jobs-more')).catch(showError);
}

function route(): void {
  const hash = location.hash || '#/deployments';
  leaveJob?.();
  leaveJob = undefined;
  const [, view, id] = hash.split('/');
  const current = id && view === 'jobs' ? 'job' : (['deployments', 'jobs', 'playground'].includes(view) ? view : 'deployments');
  const slot = byId('views');
  for (const name of ['deployments', 'jobs', 'job', 'playground']) {
    const section = byId(`view-${name}`);
    if (name === current) slot.append(section);
    else offscreen.append(section);
    section.hidden = name !== current;
  }
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    if (a.getAttribute('href') === `#/${current === 'job' ? 'jobs' : current}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (current === 'jobs') refreshJobs();
  if (current === 'job') leaveJob = showJob(byId('view-job'), decodeURIComponent(id), showError);
  byId(`view-${current}`).querySelector<HTMLElement>('h2')?.focus({ preventScroll: true });
}

async function signedIn(session: Session): Promise<void> {
  setCsrfToken(session.csrf_token);
  byId('signin').hidden = true;
  byId('app').hidden = false;
  const models = await api<{ data: Array<{ id: string }> }>('GET', '/v1/models');
  for (const select of [byId<HTMLSelectElement>('pg-model'), byId<HTMLSelectElement>('filter-model')]) {
    const keep = select.id === 'filter-model' ? [h('option', { value: '' }, 'Any')] : [];
    clear(select, ...keep, ...models.data.map((m) => h('option', { value: m.id }, m.id)));
  }
  byId<HTMLSelectElement>('pg-model').dispatchEvent(new Event('change', { bubbles: true }));
  feed?.close();
  feed = live('/v1/holdfast/events', {
    'deployments.history': (data) => { addHistory((data as { points: HistoryPoint[] }).points); },
    deployments: (data) => {
      lastRows = (data as { data: DeploymentRow[] }).data;
      renderDeploymentsTable(byId('deployments-body'), lastRows);
      sampleRows(lastRows, Date.now());
      renderCharts(byId('charts'));
      const deploymentFilter = byId<HTMLSelectElement>('filter-deployment');
      const names = [...new Set(lastRows.map((r) => r.deployment))];
      if (deploymentFilter.options.length !== names.length + 1) {
        const value = deploymentFilter.value;
        clear(deploymentFilter, h('option', { value: '' }, 'Any'), ...names.map((n) => h('option', { value: n }, n)));
        deploymentFilter.value = value;
      }
    },
    job: () => {
      if (byId('view-jobs').hidden || listTimer !== undefined) return;
      listTimer = window.setTimeout(() => { listTimer = undefined; refreshJobs(); }, 1000);
    },
  }, setConnection);
  route();
}

function start(): void {
  for (const name of ['deployments', 'jobs', 'job', 'playground']) offscreen.append(byId(`view-${name}`));
  byId('deployments-table').querySelector('caption')?.after(deploymentsHeader());
  byId<HTMLFormElement>('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = byId<HTMLInputElement>('admin-key');
    api<Session>('POST', '/v1/holdfast/session', { admin_key: input.value })
      .then((session) => { input.value = ''; clear(byId('signin-error')); return signedIn(session); })
      .catch((error: unknown) => { clear(byId('signin-error'), error instanceof Error ? error.message : String(error)); input.select(); });
  });
  byId('signout').addEventListener('click', () => {
    api('DELETE', '/v1/holdfast/session').catch(() => undefined).finally(() => signedOut('Signed out.'));
  });
  jobsForm().addEventListener('submit', (e) => { e.preventDefault(); refreshJobs(); });
  jobsForm().addEventListener('change', refreshJobs);
  byId('jobs-more').addEventListener('click', () => {
    loadJobs(jobsForm(), byId('jobs-body'), byId<HTMLButtonElement>('jobs-more'), true).catch(showError);
  });
  setUpPlayground(byId<HTMLFormElement>('playground'), {
    status: byId('pg-status'), heartbeats: byId('pg-heartbeats'), partials: byId('pg-partials'), timeline: byId('pg-timeline'),
    result: byId('pg-result'), curl: byId('pg-curl'), sdk: byId('pg-sdk'),
  }, showError);
  window.addEventListener('hashchange', () => { if (!byId('app').hidden) route(); });
  api<Session>('GET', '/v1/holdfast/session')
    .then((session) => (session.signed_in ? signedIn(session) : signedOut()))
    .catch(() => signedOut());
}

start();
