// The Jobs view (GET /v1/images/jobs with filters, refreshed when the live feed reports a change)
// and the job page (GET /v1/images/jobs/{id}, its event stream, images and DELETE to cancel).
import { api, type Attempt, type JobItem } from './api.js';
import { clear, copyButton, h, time } from './dom.js';
import { live, type LiveStream } from './live.js';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);
const STATUS_ICON: Record<string, string> = { queued: '…', running: '▶', succeeded: '✓', failed: '✕', cancelled: '⊘' };

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `status status-${status}` }, h('span', { 'aria-hidden': 'true' }, STATUS_ICON[status] ?? '?'), ` ${status}`);
}

interface ListPage { data: JobItem[]; has_more: boolean; last_id: string | null }

export function filtersOf(form: HTMLFormElement): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (typeof value === 'string' && value.trim() !== '') params.set(name, value.trim());
  return params;
}

export async function loadJobs(form: HTMLFormElement, tbody: HTMLElement, more: HTMLButtonElement, append = false): Promise<void> {
  const params = filtersOf(form);
  params.set('limit', '25');
  if (append && more.dataset.after) params.set('after', more.dataset.after);
  const page = await api<ListPage>('GET', `/v1/images/jobs?${params}`);
  const rows = page.data.map((job) => h('tr', { 'data-job-id': job.id },
    h('td', { 'data-label': 'Job' }, h('a', { href: `#/jobs/${job.id}` }, job.id)),
    h('td', { 'data-label': 'Status' }, statusBadge(job.status)),
    h('td', { 'data-label': 'Model' }, job.model),
    h('td', { 'data-label': 'Deployments' }, [...new Set(job.attempts.map((a) => a.deployment))].join(', ') || '–'),
    h('td', { 'data-label': 'Key' }, job.key_name ?? '–'),
    h('td', { 'data-label': 'Prompt', class: 'prompt' }, job.prompt ?? ''),
    h('td', { 'data-label': 'Created' }, time(job.created_at)),
  ));
  if (append) tbody.append(...rows);
  else clear(tbody, ...rows);
  if (!append && rows.length === 0) tbody.append(h('tr', {}, h('td', { colspan: 7 }, 'No jobs match.')));
  more.hidden = !page.has_more;
  more.dataset.after = page.last_id ?? '';
}

function attemptsTable(attempts: Attempt[]): HTMLElement {
  if (attempts.length === 0) return h('p', { class: 'muted' }, 'No upstream attempt yet.');
  return h('table', { class: 'attempts cards' },
    h('caption', {}, 'Upstream attempts'),
    h('thead', {}, h('tr', {}, ...['#', 'Deployment', 'Mode', 'Outcome', 'Upstream request ids'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...attempts.map((a) => h('tr', {},
      h('td', { 'data-label': '#' }, String(a.attempt)),
      h('td', { 'data-label': 'Deployment' }, a.deployment),
      h('td', { 'data-label': 'Mode' }, a.mode),
      h('td', { 'data-label': 'Outcome' }, a.outcome === null ? 'running' : `${a.outcome}${a.status ? ` (${a.status})` : ''}`),
      h('td', { 'data-label': 'Upstream request ids' }, h('div', {}, ...Object.entries(a.upstream_request_ids).map(([name, id]) =>
        h('div', { class: 'request-id' }, h('code', {}, `${name}: ${id}`), ' ', copyButton(id, `Copy ${name} of attempt ${a.attempt}`))))),
    ))),
  );
}

type Ev = { type: string; seq: number; at: number; attempt?: number; deploymentId?: string; mode?: string; kind?: string; status?: number; message?: string; retryInMs?: number; payload?: { b64_json?: string; output_format?: string }; image_urls?: string[]; error?: { body?: { error?: { message?: string } } } };

/** One line of the timeline for a job event; partial images are shown as images. */
export function timelineEntry(ev: Ev, partialNumber: number, format: string): HTMLElement {
  const at = time(ev.at / 1000);
  const li = h('li', { class: `event event-${ev.type.replace('.', '-')}` }, h('time', {}, at), ' ');
  switch (ev.type) {
    case 'job.queued': li.append('Queued'); break;
    case 'attempt.started': li.append(`Attempt ${ev.attempt} started on ${ev.deploymentId} (${ev.mode === 'stream' ? 'streaming' : 'non-streaming'})`); break;
    case 'image.partial': {
      li.append(`Partial image ${partialNumber} from ${ev.deploymentId}`);
      if (ev.payload?.b64_json) li.append(h('img', { src: `data:image/${ev.payload.output_format ?? format};base64,${ev.payload.b64_json}`, alt: `Partial image ${partialNumber}`, class: 'thumb' }));
      break;
    }
    case 'attempt.failed': li.append(h('strong', {}, '✕ Failed: '), `attempt ${ev.attempt} on ${ev.deploymentId}: ${ev.kind}${ev.status ? ` (${ev.status})` : ''}${ev.message ? ` – ${ev.message}` : ''}${ev.retryInMs !== undefined ? `; retry in ${(ev.retryInMs / 1000).toFixed(1)} s` : ''}`); break;
    case 'attempt.succeeded': li.append(h('strong', {}, '✓ Succeeded: '), `attempt ${ev.attempt} on ${ev.deploymentId}`); break;
    case 'job.completed': li.append(h('strong', {}, '✓ Completed')); break;
    case 'job.failed': li.append(h('strong', {}, '✕ Job failed: '), ev.error?.body?.error?.message ?? ''); break;
    case 'job.cancelled': li.append(h('strong', {}, '⊘ Cancelled')); break;
    default: li.append(ev.type);
  }
  return li;
}

/** Renders the job page into `root`; returns a function that stops its live stream. */
export function showJob(root: HTMLElement, id: string, onError: (error: unknown) => void): () => void {
  const summary = h('div', { class: 'job-summary' });
  const attempts = h('div', {});
  const timeline = h('ol', { class: 'timeline', 'aria-label': 'Job timeline', 'aria-live': 'polite' });
  const images = h('div', { class: 'images' });
  const cancel = h('button', { type: 'button', class: 'danger' }, 'Cancel');
  const message = h('p', { role: 'status' });
  clear(root,
    h('p', {}, h('a', { href: '#/jobs' }, '← All jobs')),
    h('h2', { tabindex: -1 }, 'Job ', h('code', {}, id)),
    summary, h('div', { class: 'actions' }, cancel, message),
    h('h3', {}, 'Attempts'), attempts,
    h('h3', {}, 'Timeline'), timeline,
    h('h3', {}, 'Images'), images);
  let stream: LiveStream | undefined;
  let format = 'png';
  let partials = 0;
  let listed: JobItem | undefined;
  const refresh = async (): Promise<void> => {
    const job = await api<JobItem & { result: unknown }>('GET', `/v1/images/jobs/${id}`);
    listed ??= (await api<ListPage>('GET', `/v1/images/jobs?q=${encodeURIComponent(id)}&limit=1`)).data[0];
    format = listed?.output_format ?? format;
    clear(summary, h('dl', {},
      h('dt', {}, 'Status'), h('dd', {}, statusBadge(job.status)),
      h('dt', {}, 'Model'), h('dd', {}, job.model),
      h('dt', {}, 'Prompt'), h('dd', {}, listed?.prompt ?? '–'),
      h('dt', {}, 'Size, quality'), h('dd', {}, `${listed?.size ?? 'auto'}, ${listed?.quality ?? 'auto'}`),
      h('dt', {}, 'Key'), h('dd', {}, listed?.key_name ?? '–'),
      h('dt', {}, 'Created'), h('dd', {}, time(job.created_at))));
    clear(attempts, attemptsTable(job.attempts));
    cancel.disabled = TERMINAL.has(job.status);
  };
  cancel.addEventListener('click', () => {
    cancel.disabled = true;
    api('DELETE', `/v1/images/jobs/${id}`).then(() => { message.textContent = 'Cancel requested.'; return refresh(); }).catch(onError);
  });
  refresh().then(() => {
    stream = live(`/v1/images/jobs/${id}/events`, Object.fromEntries(
      ['job.queued', 'attempt.started', 'image.partial', 'attempt.failed', 'attempt.succeeded', 'job.completed', 'job.failed', 'job.cancelled'].map((type) => [type, (data: unknown) => {
        const ev = data as Ev;
        if (ev.type === 'image.partial') partials += 1;
        timeline.append(timelineEntry(ev, partials, format));
        if (ev.type === 'job.completed') {
          clear(images, ...(ev.image_urls ?? []).map((url, i) => h('figure', {},
            h('img', { src: url, alt: `Generated image ${i + 1} of job ${id}`, class: 'result' }),
            h('figcaption', {}, h('a', { href: url, download: `${id}-${i + 1}.${format}` }, 'Download')))));
        }
        if (ev.type !== 'image.partial') refresh().catch(onError);
        if (ev.type === 'job.completed' || ev.type === 'job.failed' || ev.type === 'job.cancelled') stream?.close();
      }])));
  }).catch(onError);
  return () => stream?.close();
}
