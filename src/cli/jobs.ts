// `holdfast jobs list|show|follow|fetch|cancel`: pick a job back up over the jobs API: see its
// attempts (deployments, outcomes, upstream request ids), follow it to the end, download its
// images, cancel it. Exit codes: GENERATE_EXIT (docs/cli.md).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createHoldfastClient, HoldfastApiError, type HoldfastClient, type JobResource } from '../sdk/index.js';
import { SystemClock } from '../time/clock.js';
import { checkOutPath, type OutputFormat } from '../generate/generate-files.js';
import { downloadJob, errorLine, followAndDownload, type FollowRequest } from '../generate/run-generate.js';
import { DEFAULT_GATEWAY_URL, exitCodeOf, failureMessage, GENERATE_EXIT, interruptOnSignals, reporterFor } from './generate.js';

interface GatewayOptions {
  gateway: string;
  key?: string;
}

interface OutOptions extends GatewayOptions {
  out?: string;
  format?: string;
  savePartials?: boolean;
}

const FORMATS: readonly OutputFormat[] = ['png', 'jpeg', 'webp'];
const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

function clientOf(options: GatewayOptions): HoldfastClient {
  return createHoldfastClient({ baseUrl: options.gateway, apiKey: options.key ?? process.env.HOLDFAST_KEY });
}

function fail(command: string, text: string, code: number = GENERATE_EXIT.failed): number {
  process.stderr.write(`holdfast jobs ${command}: ${text}\n`);
  return code;
}

function time(unixSeconds: number | null | undefined): string {
  return typeof unixSeconds === 'number' ? new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z') : '-';
}

function errorMessage(error: unknown): string | undefined {
  const inner = typeof error === 'object' && error !== null ? (error as { error?: { message?: unknown; code?: unknown } }).error : undefined;
  if (!inner) return undefined;
  return `${String(inner.message ?? '')}${typeof inner.code === 'string' ? ` [${inner.code}]` : ''}`;
}

/** The job resource as a few human lines: status, times, each attempt with its upstream request ids. */
export function formatJob(job: JobResource): string {
  const lines = [
    `${job.id}  ${job.status}  model ${job.model} (${job.endpoint})`,
    `  created ${time(job.created_at)}, updated ${time(job.updated_at)}, deadline ${time(job.deadline_at)}`,
  ];
  if (job.attempts.length === 0) lines.push('  no attempt yet');
  for (const a of job.attempts) {
    const ids = Object.entries(a.upstream_request_ids).map(([k, v]) => `${k}=${v}`).join(' ');
    const outcome = a.outcome ?? (a.ended_at === null ? (job.status === 'running' ? 'in flight' : 'cut short by a restart') : '-');
    lines.push(`  attempt ${a.attempt} on ${a.deployment} (${a.mode}): ${time(a.started_at)} -> ${time(a.ended_at)}  ${outcome}${a.status === null ? '' : ` HTTP ${a.status}`}${ids ? `  ${ids}` : ''}`);
  }
  const result = job.result as { data?: unknown[] } | null;
  if (job.status === 'succeeded') lines.push(`  ${Array.isArray(result?.data) ? result.data.length : 1} image(s): holdfast jobs fetch ${job.id}`);
  const message = errorMessage(job.error);
  if (message) lines.push(`  error: ${message}`);
  return `${lines.join('\n')}\n`;
}

function listLine(job: JobResource): string {
  const last = job.attempts.at(-1);
  const where = last ? `${job.attempts.length} attempt(s), last on ${last.deployment}` : 'no attempt yet';
  return `${job.id}  ${job.status.padEnd(9)}  ${time(job.created_at)}  ${job.model}  ${where}\n`;
}

async function list(options: GatewayOptions & { status?: string; limit: string; json?: boolean }): Promise<number> {
  if (options.status && !STATUSES.includes(options.status)) return fail('list', `--status: one of ${STATUSES.join(', ')}`, GENERATE_EXIT.usage);
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return fail('list', `--limit: an integer from 1 to 1000, got '${options.limit}'`, GENERATE_EXIT.usage);
  try {
    const { data } = await clientOf(options).listJobs({ status: options.status, limit });
    if (options.json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    else if (data.length === 0) process.stdout.write('no jobs\n');
    else for (const job of data) process.stdout.write(listLine(job));
    return GENERATE_EXIT.ok;
  } catch (error) {
    if (error instanceof HoldfastApiError && error.status === 404) {
      return fail('list', `this gateway has no job list (GET ${options.gateway.replace(/\/+$/, '')}/v1/images/jobs answered 404; it needs a newer holdfast). `
        + 'Look a job up by its id: holdfast jobs show <id>');
    }
    return fail('list', errorLine(error));
  }
}

async function show(id: string, options: GatewayOptions & { json?: boolean }): Promise<number> {
  try {
    const job = await clientOf(options).getJob(id);
    process.stdout.write(options.json ? `${JSON.stringify(job, null, 2)}\n` : formatJob(job));
    return GENERATE_EXIT.ok;
  } catch (error) {
    return fail('show', errorLine(error));
  }
}

async function cancel(id: string, options: GatewayOptions): Promise<number> {
  try {
    const job = await clientOf(options).cancelJob(id);
    process.stdout.write(`${job.id}: ${job.status}${job.status === 'cancelled' ? '' : ' (it had already finished)'}\n`);
    return GENERATE_EXIT.ok;
  } catch (error) {
    return fail('cancel', errorLine(error));
  }
}

function followRequestOf(id: string, options: OutOptions): FollowRequest | string {
  const format = options.format === undefined ? 'png' : FORMATS.find((f) => f === (options.format === 'jpg' ? 'jpeg' : options.format));
  if (!format) return `--format: one of ${FORMATS.join(', ')}, got '${options.format}'`;
  const out = options.out ?? id;
  const problem = options.format === undefined ? undefined : checkOutPath(out, format);
  if (problem) return problem;
  // Without --format, files are named after the format the job produced.
  return { out, format, partials: 0, savePartials: options.savePartials ?? false, formatFromJob: options.format === undefined };
}

/** follow: to the end, then download; fetch: a finished job's images only. */
async function followOrFetch(command: 'follow' | 'fetch', id: string, options: OutOptions): Promise<number> {
  const request = followRequestOf(id, options);
  if (typeof request === 'string') return fail(command, request, GENERATE_EXIT.usage);
  const client = clientOf(options);
  let job: JobResource;
  try {
    job = await client.getJob(id);
  } catch (error) {
    return fail(command, errorLine(error));
  }
  if (command === 'fetch' && job.status !== 'succeeded') {
    const hint = job.status === 'queued' || job.status === 'running' ? `; wait for it with: holdfast jobs follow ${id}` : '';
    return fail(command, `job ${id} is ${job.status}, it has no images${hint}${errorMessage(job.error) ? ` (${errorMessage(job.error)})` : ''}`);
  }
  const clock = new SystemClock();
  const reporter = reporterFor(clock);
  const interrupt = interruptOnSignals();
  const deps = { client, clock, reporter, signal: interrupt.signal, writeFile: (path: string, bytes: Buffer) => writeFile(path, bytes) };
  const outcome = command === 'fetch' || job.status === 'succeeded'
    ? await downloadJob(deps, request, job)
    : await followAndDownload(deps, { ...request, partials: 0 }, job);
  interrupt.done();
  if (!outcome.ok) reporter.finish(`holdfast jobs ${command}: ${failureMessage(outcome, options.gateway, interrupt.signal.aborted)}`);
  return exitCodeOf(outcome, interrupt.signal.aborted);
}

function gatewayOptions(command: Command): Command {
  return command
    .option('--gateway <url>', "holdfast's URL", DEFAULT_GATEWAY_URL)
    .option('--key <key>', 'client key, if the gateway requires one (also HOLDFAST_KEY)');
}

function outOptions(command: Command): Command {
  return gatewayOptions(command)
    .option('--out <file>', 'where to write the image (several: file-0.png …); default <job id>.<format>')
    .option('--format <f>', 'png, jpeg or webp, to name the files (default: the format the job produced)');
}

export function registerJobsCommand(program: Command): void {
  const jobs = program.command('jobs').description('pick jobs back up: list, show (attempts, upstream request ids), follow, fetch images, cancel');
  const run = (fn: () => Promise<number>): Promise<void> => fn().then((code) => process.exit(code));
  gatewayOptions(jobs.command('list').description('your jobs on the gateway, newest first'))
    .option('--status <s>', `only jobs with this status (${STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'print the job resources as JSON')
    .action((options: GatewayOptions & { status?: string; limit: string; json?: boolean }) => run(() => list(options)));
  gatewayOptions(jobs.command('show').description('a job: status, deadline, each attempt with its outcome and upstream request ids').argument('<id>', 'the job id (job_…)'))
    .option('--json', 'print the job resource as JSON')
    .action((id: string, options: GatewayOptions & { json?: boolean }) => run(() => show(id, options)));
  outOptions(jobs.command('follow').description('follow a job to its end (through gateway restarts) and write its images').argument('<id>', 'the job id'))
    .option('--save-partials', 'write each partial image as <out>.partial-<i>.<ext>', false)
    .action((id: string, options: OutOptions) => run(() => followOrFetch('follow', id, options)));
  outOptions(jobs.command('fetch').description("download a finished job's images").argument('<id>', 'the job id'))
    .action((id: string, options: OutOptions) => run(() => followOrFetch('fetch', id, options)));
  gatewayOptions(jobs.command('cancel').description('cancel a queued or running job (the upstream call in flight is aborted)').argument('<id>', 'the job id'))
    .action((id: string, options: GatewayOptions) => run(() => cancel(id, options)));
}
