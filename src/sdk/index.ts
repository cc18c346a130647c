// holdfast's client SDK for the jobs API: submit, follow (resuming with Last-Event-ID), fetch images.
// Depends on wire/ (shapes), time/ (the default real-time sleep) and npm packages only.
export { createHoldfastClient, type HoldfastClient, type HoldfastClientOptions } from './client.js';
export { HoldfastApiError, HoldfastConnectionError } from './errors.js';
export { followJobEvents, reconnectDelayMs, type FollowOptions, type FollowDeps, type ReconnectInfo } from './follow.js';
export { isTerminalEvent, parseJobEvent, type JobStreamEvent, type JobStreamEventBody, type JobStreamEventType, type ImageData } from './job-events.js';
export { submitJob, generateImage, streamImage, type ImageGenerationRequest, type SubmitOptions } from './submit.js';
export { getJob, fetchJobImage } from './images.js';
export { listJobs, cancelJob, deploymentHealth, type JobListQuery, type DeploymentHealthRow } from './jobs.js';
export type { Transport } from './transport.js';
export type { JobResource } from '../wire/jobs.js';
