export { HostInstance, type HostDeps } from './host.js';
export { HostState, hostEntities, type HostShape, type HostStates } from './entities.js';
export { DockerClient, restartContainer, type ContainerSummary } from './docker.js';
export { ThresholdTracker, nextLevel, type Level, type Threshold, type Transition } from './thresholds.js';
export type { AlertClearedPayload } from './alerts.js';
