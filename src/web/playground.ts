// The playground: the form posts to POST /v1/images/generations like any client. With stream on it
// reads the OpenAI SSE stream itself (counting `: keepalive` heartbeats, showing each partial);
// either way it follows the job's event stream to show attempts, retries and failovers.
import { rawPost } from './api.js';
import { clear, copyButton, h } from './dom.js';
import { live, type LiveStream } from './live.js';
import { timelineEntry } from './jobs.js';

interface Request {
  model: string; prompt: string; size: string; quality: string; output_format: string; partial_images: number; stream: boolean;
}

function requestOf(form: HTMLFormElement): Request {
  const data = new FormData(form);
  const text = (name: string): string => String(data.get(name) ?? '');
  return {
    model: text('model'), prompt: text('prompt'), size: text('size'), quality: text('quality'), output_format: text('output_format'),
    partial_images: Number(text('partial_images') || 0), stream: data.get('stream') === 'on',
  };
}

function bodyOf(req: Request): Record<string, unknown> {
  const body: Record<string, unknown> = { model: req.model, prompt: req.prompt, size: req.size, quality: req.quality, output_format: req.output_format };
  if (req.stream) Object.assign(body, { stream: true, partial_images: req.partial_images });
  return body;
}

// Text of the Node snippet (written in pieces: this browser code reads no environment itself).
const KEY_FROM_ENV = ['process', 'env', 'HOLDFAST_KEY'].join('.');

export function snippets(req: Request, origin: string): { curl: string; sdk: string } {
  const body = JSON.stringify(bodyOf(req));
  const curl = `curl ${req.stream ? '-N ' : ''}${origin}/v1/images/generations \\\n  -H "Authorization: Bearer $HOLDFAST_KEY" \\\n  -H "Content-Type: application/json" \\\n  -d '${body.replaceAll("'", "'\\''")}'`;
  const args = JSON.stringify(bodyOf(req), null, 2);
  const sdk = req.stream
    ? `import OpenAI from 'openai';\n\nconst client = new OpenAI({ baseURL: '${origin}/v1', apiKey: ${KEY_FROM_ENV} });\nconst stream = await client.images.generate(${args});\nfor await (const event of stream) {\n  if (event.type === 'image_generation.completed') console.log(event.b64_json.length);\n}`
    : `import OpenAI from 'openai';\n\nconst client = new OpenAI({ baseURL: '${origin}/v1', apiKey: ${KEY_FROM_ENV} });\nconst result = await client.images.generate(${args});\nconsole.log(result.data[0].b64_json.length);`;
  return { curl, sdk };
}

/** Minimal SSE reader for a fetch body: calls onComment for `:` lines and onEvent per frame. */
async function readSse(body: ReadableStream<Uint8Array>, onEvent: (event: string, data: string) => void, onComment: () => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) onEvent(event, data.join('\n'));
        event = 'message';
        data = [];
      } else if (line.startsWith(':')) onComment();
      else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
  }
}

export function setUpPlayground(form: HTMLFormElement, out: {
  status: HTMLElement; heartbeats: HTMLElement; partials: HTMLElement; timeline: HTMLElement; result: HTMLElement; curl: HTMLElement; sdk: HTMLElement;
}, onError: (error: unknown) => void): void {
  let follow: LiveStream | undefined;
  const showSnippets = (): void => {
    const s = snippets(requestOf(form), location.origin);
    clear(out.curl, h('pre', {}, h('code', {}, s.curl)), copyButton(s.curl, 'Copy curl command'));
    clear(out.sdk, h('pre', {}, h('code', {}, s.sdk)), copyButton(s.sdk, 'Copy OpenAI SDK snippet'));
  };
  form.addEventListener('input', showSnippets);
  form.addEventListener('change', showSnippets);
  showSnippets();

  /** Follows the job's events; without stream, its partials and result come from there too. */
  const followJob = (id: string, format: string, fromEvents: boolean): void => {
    follow?.close();
    let partials = 0;
    const link = h('a', { href: `#/jobs/${id}` }, id);
    clear(out.status, 'Job ', link, ': running');
    follow = live(`/v1/images/jobs/${id}/events`, Object.fromEntries(
      ['job.queued', 'attempt.started', 'image.partial', 'attempt.failed', 'attempt.succeeded', 'job.completed', 'job.failed', 'job.cancelled'].map((type) => [type, (data: unknown) => {
        const ev = data as Parameters<typeof timelineEntry>[0];
        if (ev.type === 'image.partial') {
          partials += 1;
          if (!fromEvents) return;
        }
        out.timeline.append(timelineEntry(ev, partials, format));
        if (ev.type === 'job.completed' || ev.type === 'job.failed' || ev.type === 'job.cancelled') {
          clear(out.status, 'Job ', link, `: ${ev.type.replace('job.', '')}`);
          follow?.close();
          if (ev.type === 'job.completed' && fromEvents) {
            const urls = (ev as { image_urls?: string[] }).image_urls ?? [];
            for (const [i, url] of urls.entries()) showResult(url, i, id, format);
          }
        }
      }])));
  };

  const showResult = (src: string, index: number, id: string, format: string): void => {
    const prompt = requestOf(form).prompt;
    out.result.append(h('figure', {},
      h('img', { src, alt: `Generated image ${index + 1}: ${prompt}`, class: 'result' }),
      h('figcaption', {}, h('a', { href: src, download: `${id}-${index + 1}.${format}` }, 'Download'))));
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const req = requestOf(form);
    const button = form.querySelector('button[type=submit]') as HTMLButtonElement;
    button.disabled = true;
    follow?.close();
    clear(out.partials);
    clear(out.timeline);
    clear(out.result);
    clear(out.status, 'Sending…');
    let beats = 0;
    clear(out.heartbeats, req.stream ? 'Heartbeats: 0' : 'Heartbeats: shown with stream on');
    const run = async (): Promise<void> => {
      if (!req.stream) {
        const res = await rawPost('/v1/images/generations', bodyOf(req), { prefer: 'respond-async' });
        const job = await res.json() as { id: string };
        followJob(job.id, req.output_format, true);
        return;
      }
      const res = await rawPost('/v1/images/generations', bodyOf(req));
      const id = res.headers.get('holdfast-job-id') ?? '';
      followJob(id, req.output_format, false);
      let partial = 0;
      await readSse(res.body as ReadableStream<Uint8Array>, (event, data) => {
        const payload = JSON.parse(data) as { b64_json?: string; error?: { message?: string } };
        if (event === 'image_generation.partial_image' && payload.b64_json) {
          partial += 1;
          out.partials.append(h('img', { src: `data:image/${req.output_format};base64,${payload.b64_json}`, alt: `Partial image ${partial}`, class: 'thumb' }));
        } else if (event === 'image_generation.completed' && payload.b64_json) {
          const bytes = Uint8Array.from(atob(payload.b64_json), (c) => c.charCodeAt(0));
          showResult(URL.createObjectURL(new Blob([bytes], { type: `image/${req.output_format}` })), out.result.childElementCount, id, req.output_format);
        } else if (event === 'error') {
          out.status.append(` – error: ${payload.error?.message ?? data}`);
        }
      }, () => {
        beats += 1;
        clear(out.heartbeats, `Heartbeats: ${beats} (last ${new Date().toLocaleTimeString()})`);
      });
    };
    run().catch(onError).finally(() => { button.disabled = false; });
  });
}
