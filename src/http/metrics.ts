export interface MetricsSnapshot {
  version: string;
  uptime: number;
  mqttConnected: boolean;
  brokerClients: number | undefined;
  state: { topics: number; published: number; suppressed: number };
  discoveryPublished: number;
  services: { id: string; type: string; up: boolean }[];
  /** Event-loop delay in seconds (p50, p99, max) since start. */
  eventLoop: { p50: number; p99: number; max: number };
  rssBytes: number;
  cpuSeconds: number;
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Prometheus text exposition format 0.0.4 (pure: snapshot in, text out). */
export function renderMetrics(s: MetricsSnapshot): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric('media2mqtt_info', 'gauge', 'Build information.', [[`{version="${esc(s.version)}"}`, 1]]);
  metric('media2mqtt_uptime_seconds', 'gauge', 'Seconds since the bridge started.', [['', Math.round(s.uptime)]]);
  metric('media2mqtt_mqtt_connected', 'gauge', '1 when the bridge is connected to its MQTT broker.', [['', s.mqttConnected ? 1 : 0]]);
  if (s.brokerClients !== undefined) metric('media2mqtt_broker_clients', 'gauge', 'Clients connected to the embedded broker.', [['', s.brokerClients]]);
  metric('media2mqtt_state_topics', 'gauge', 'Retained state topics owned by the bridge.', [['', s.state.topics]]);
  metric('media2mqtt_state_published_total', 'counter', 'State messages published because a value changed.', [['', s.state.published]]);
  metric('media2mqtt_state_unchanged_total', 'counter', 'State updates not published because nothing changed.', [['', s.state.suppressed]]);
  metric('media2mqtt_discovery_published_total', 'counter', 'Home Assistant discovery messages published.', [['', s.discoveryPublished]]);
  metric(
    'media2mqtt_service_up',
    'gauge',
    '1 when the instance is online.',
    s.services.map((x) => [`{instance="${esc(x.id)}",type="${esc(x.type)}"}`, x.up ? 1 : 0]),
  );
  metric('media2mqtt_eventloop_delay_seconds', 'gauge', 'Event-loop delay since start.', [
    ['{quantile="0.5"}', s.eventLoop.p50],
    ['{quantile="0.99"}', s.eventLoop.p99],
    ['{quantile="1"}', s.eventLoop.max],
  ]);
  metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [['', s.rssBytes]]);
  metric('process_cpu_seconds_total', 'counter', 'User and system CPU time spent in seconds.', [['', s.cpuSeconds]]);
  return lines.join('\n') + '\n';
}
