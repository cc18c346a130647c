// What `holdfast demo` prints: what runs where, the report's failing request through holdfast and
// straight to the simulated region, and a `holdfast generate` line. Pure text, so tests can read it.

export interface BannerInput {
  gatewayUrl: string;
  simUrl: string;
  dataDir: string;
  dataDirChosen: boolean;
  timeScale: number;
  /** holdfast generate's default gateway; the line adds --gateway only when it differs. */
  defaultGatewayUrl: string;
  /** The dashboard's admin key, and whether it came from HOLDFAST_ADMIN_KEY. */
  adminKey: string;
  adminKeyFromEnv: boolean;
}

const API_VERSION = '2025-04-01-preview';
export const DEMO_PROMPT = 'a red apple on a white background';

/** The report's request: 2048x2048, high, streamed, no partial images (silent until the end). */
export const REPORT_BODY = { prompt: DEMO_PROMPT, size: '2048x2048', quality: 'high', stream: true, partial_images: 0 };

function seconds(simulatedMs: number, timeScale: number): string {
  const s = (simulatedMs * timeScale) / 1000;
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

/** A copy-paste curl (POSIX shell): SSE lines cut to 100 columns so base64 does not flood the terminal. */
export function reportCurl(baseUrl: string, deployment: string): string {
  return [
    `curl -sN '${baseUrl}/openai/deployments/${deployment}/images/generations?api-version=${API_VERSION}' \\`,
    `  -H 'api-key: demo' -H 'content-type: application/json' \\`,
    `  -d '${JSON.stringify(REPORT_BODY)}' \\`,
    `  -w '\\nHTTP %{http_code} after %{time_total} s\\n' | cut -c1-100`,
  ].join('\n');
}

export function generateLine(gatewayUrl: string, defaultGatewayUrl: string): string {
  const gateway = gatewayUrl === defaultGatewayUrl ? '' : ` --gateway ${gatewayUrl}`;
  return `npx holdfast generate "${DEMO_PROMPT}" --size 2048x2048 --quality high --partials 2 --out apple.png${gateway}`;
}

export function renderDemoBanner(input: BannerInput): string {
  const t = input.timeScale;
  const full = seconds(245_000, t);
  const idle = seconds(60_000, t);
  return `holdfast demo: the simulated Azure regions of the report, and holdfast in front of them.
Time runs at ${t} (a simulated 245 s generation takes ${full}; the 60 s idle cut-off comes after ${idle}).

  holdfast gateway: ${input.gatewayUrl}
      model gpt-image-2 -> sweden (gpt-image-2-1, swedencentral) + westeurope (gpt-image-2-westeurope)
      OpenAI form: POST ${input.gatewayUrl}/v1/images/generations  (body "model": "gpt-image-2")
      Azure form:  POST ${input.gatewayUrl}/openai/deployments/gpt-image-2/images/generations?api-version=${API_VERSION}
      no client key required (any or none); jobs: ${input.gatewayUrl}/v1/images/jobs/{id}; health: ${input.gatewayUrl}/v1/holdfast/deployments
  dashboard:        ${input.gatewayUrl}/   sign in with the admin key ${input.adminKeyFromEnv ? 'in HOLDFAST_ADMIN_KEY' : `${input.adminKey}   (made up for this run; set HOLDFAST_ADMIN_KEY to choose one)`}
  simulator:        ${input.simUrl}   (seed scenario; stats: ${input.simUrl}/_sim/stats)
  data (SQLite + images): ${input.dataDir}${input.dataDirChosen ? '' : '   (default; change with --data-dir)'}

The report's request through holdfast (Azure form, 2048x2048, high, stream, partial_images 0): completes,
with ': keepalive' heartbeats while the upstream is silent:

${reportCurl(input.gatewayUrl, 'gpt-image-2')}

The same request straight to the simulated Sweden Central region: HTTP 408 after the simulated 60 s (${idle}):

${reportCurl(input.simUrl, 'gpt-image-2-1')}

Generate an image with a progress display (in another terminal):

${generateLine(input.gatewayUrl, input.defaultGatewayUrl)}

Ctrl-C stops everything.
`;
}
