// The built-in `seed` scenario: the report that started holdfast (design.md). Kept byte-equal to
// scenarios/seed.yaml in the repo root (a unit test checks it), so users can copy and edit it.

export const SEED_SCENARIO_YAML = `# The seed scenario: the report that started holdfast.
# Azure gpt-image-2 in Sweden Central behind a 60 s idle front, 10 requests per minute,
# mid-stream server_error on about a third of generations at 2048x2048 and above.
name: seed
content_policy:
  pattern: "(?i)forbidden|gore"
deployments:
  - name: gpt-image-2-1
    form: azure
    model: gpt-image-2
    region: swedencentral
    region_name: Sweden Central
    latency_factor: 1.0
    idle_timeout_ms: 60000
    rate_limit: { requests: 10, window_ms: 60000 }
    faults:
      large: { stream_error: 0.33, after_partial: 0 }
  - name: gpt-image-2-westeurope
    form: azure
    model: gpt-image-2
    region: westeurope
    region_name: West Europe
    latency_factor: 0.9
    idle_timeout_ms: 60000
    rate_limit: { requests: 10, window_ms: 60000 }
    faults:
      large: { stream_error: 0.05, after_partial: 0 }
  - name: gpt-image-2
    form: openai
    model: gpt-image-2
    region: global
    rate_limit: { requests: 10, window_ms: 60000 }
`;
