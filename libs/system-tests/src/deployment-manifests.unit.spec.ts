import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  EXAMPLE_SECRETS_FILE,
  GRAFANA_DIR,
  K8S_DIR,
  KUSTOMIZATION_FILE,
  PROMETHEUS_DIR,
  REPO_ROOT,
  balanced,
  containersOf,
  headingAnchors,
  isKnownMetric,
  keysOf,
  loadK8sManifests,
  metricNamesInCode,
  metricNamesInPromql,
  parseYamlDocuments,
  parseYamlFile,
  podTemplate,
  selects,
  validateAgainstSchema,
  yamlFilesIn,
  type LoadedManifest,
  type Manifest,
} from './support/manifests';

/**
 * The deployment material under infrastructure/ (Kubernetes manifests, Prometheus, Grafana),
 * checked without a cluster or any server: schemas, cross-references, and that dashboards and
 * alerts only ask for series the code defines.
 */

const all = loadK8sManifests();
const applied = all.filter(({ file }) => file !== EXAMPLE_SECRETS_FILE);
const ofKind = (kind: string, from: LoadedManifest[] = applied) => from.filter(({ manifest }) => manifest.kind === kind).map(({ manifest }) => manifest);
const deployments = ofKind('Deployment');
const knownMetrics = metricNamesInCode();
const operationsDoc = readFileSync(resolve(REPO_ROOT, 'docs/operations.md'), 'utf8');

const PROCESSES = ['auth', 'user', 'billing', 'jobs-api', 'jobs-worker', 'webhook-delivery', 'console'];

function envOf(deployment: Manifest): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const container of containersOf(deployment)) for (const variable of container.env ?? []) env[variable.name] = variable.value;
  return env;
}

describe('Kubernetes manifests', () => {
  it('fit the schema of their kind, and use no kind we cannot check', () => {
    // given every document under infrastructure/k8s, the example secrets included
    expect(all.length).toBeGreaterThan(0);

    // then each one validates against the Kubernetes schema of its kind, or is one of the two
    // kinds with a structural check of their own below
    const unchecked = all.filter((loaded) => !validateAgainstSchema(loaded)).map(({ manifest }) => manifest.kind);
    expect([...new Set(unchecked)].sort()).toEqual(['Kustomization', 'RabbitmqCluster']);
  });

  it('list every manifest in kustomization.yaml, except the example secrets', () => {
    const kustomization = ofKind('Kustomization')[0] as unknown as { apiVersion: string; namespace: string; resources: string[] };
    expect(kustomization.apiVersion).toBe('kustomize.config.k8s.io/v1beta1');
    expect(kustomization.namespace).toBe('conveyor');

    // every listed resource exists …
    for (const resource of kustomization.resources) expect(existsSync(join(K8S_DIR, resource))).toBe(true);
    // … and every manifest file is listed, the example secrets never
    const files = yamlFilesIn(K8S_DIR).filter((file) => file !== KUSTOMIZATION_FILE && file !== EXAMPLE_SECRETS_FILE);
    expect([...kustomization.resources].sort()).toEqual(files);
    expect(kustomization.resources).not.toContain(EXAMPLE_SECRETS_FILE);
  });

  it('run every process as its own Deployment, jobs split into API and worker roles', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...PROCESSES].sort());
    expect(envOf(deployments.find((d) => d.metadata.name === 'jobs-api') as Manifest)['JOBS_ROLE']).toBe('api');
    expect(envOf(deployments.find((d) => d.metadata.name === 'jobs-worker') as Manifest)['JOBS_ROLE']).toBe('worker');
  });

  it('select an existing Deployment’s pods from every Service, and give the worker none', () => {
    for (const service of ofKind('Service')) {
      const targets = deployments.filter((d) => selects(service.spec.selector, podTemplate(d)?.metadata.labels));
      expect({ service: service.metadata.name, targets: targets.length }).toEqual({ service: service.metadata.name, targets: 1 });
      // the Service's target port is a named port of that Deployment's container
      const ports = containersOf(targets[0]).flatMap((c) => (c.ports as { name: string }[] | undefined) ?? []).map((p) => p.name);
      for (const port of service.spec.ports) expect(ports).toContain(port.targetPort);
    }
    const workerLabels = podTemplate(deployments.find((d) => d.metadata.name === 'jobs-worker') as Manifest)?.metadata.labels;
    expect(ofKind('Service').filter((s) => selects(s.spec.selector, workerLabels))).toEqual([]);
  });

  it('scale and protect existing Deployments only, one HPA and one PDB each', () => {
    const names = deployments.map((d) => d.metadata.name);
    for (const hpa of ofKind('HorizontalPodAutoscaler')) {
      expect(hpa.spec.scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
      expect(names).toContain(hpa.spec.scaleTargetRef.name);
      expect(hpa.spec.metrics.map((m: { resource?: { name: string } }) => m.resource?.name)).toContain('cpu');
    }
    for (const pdb of ofKind('PodDisruptionBudget')) {
      const targets = deployments.filter((d) => selects(pdb.spec.selector.matchLabels, podTemplate(d)?.metadata.labels));
      expect({ pdb: pdb.metadata.name, targets: targets.map((d) => d.metadata.name) }).toEqual({ pdb: pdb.metadata.name, targets: [pdb.metadata.name] });
    }
    expect(ofKind('HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name).sort()).toEqual([...names].sort());
    expect(ofKind('PodDisruptionBudget').map((p) => p.metadata.name).sort()).toEqual([...names].sort());
    // the HPA owns the replica count; a Deployment that sets one would be reset by every apply
    for (const deployment of deployments) expect(deployment.spec.replicas).toBeUndefined();
  });

  it('refer only to Secret keys the example secrets define and ConfigMap keys that exist', () => {
    const secrets = ofKind('Secret', all);
    const configMaps = ofKind('ConfigMap');
    const keysIn = (list: Manifest[], name: string) => {
      const found = list.find((m) => m.metadata.name === name);
      return found ? keysOf(found) : undefined;
    };

    const missing: string[] = [];
    for (const { file, manifest } of applied) {
      for (const container of containersOf(manifest)) {
        const where = `${file}: ${manifest.metadata.name}/${container.name}`;
        for (const variable of container.env ?? []) {
          const secretRef = variable.valueFrom?.secretKeyRef;
          if (secretRef && !keysIn(secrets, secretRef.name)?.includes(secretRef.key)) missing.push(`${where}: secret ${secretRef.name}.${secretRef.key}`);
          const configRef = variable.valueFrom?.configMapKeyRef;
          if (configRef && !keysIn(configMaps, configRef.name)?.includes(configRef.key)) missing.push(`${where}: configMap ${configRef.name}.${configRef.key}`);
        }
        for (const source of container.envFrom ?? []) {
          if (source.configMapRef && !keysIn(configMaps, source.configMapRef.name)) missing.push(`${where}: configMap ${source.configMapRef.name}`);
          if (source.secretRef && !keysIn(secrets, source.secretRef.name)) missing.push(`${where}: secret ${source.secretRef.name}`);
        }
      }
    }
    expect(missing).toEqual([]);
    // the manifests themselves hold no Secret: those come from the installation's store
    expect(ofKind('Secret')).toEqual([]);
  });

  it('verify access tokens with auth’s JWKS, never a shared secret', () => {
    // given the shared settings and the Services
    const common = ofKind('ConfigMap').find((c) => c.metadata.name === 'conveyor-common') as Manifest;
    const jwks = new URL(common.data?.['AUTH_JWKS_URL'] ?? '');

    // then the JWKS URL names the auth Service on its port …
    const auth = ofKind('Service').find((s) => s.metadata.name === jwks.hostname);
    expect(auth?.spec.ports.map((p: { port: number }) => p.port)).toContain(Number(jwks.port));
    expect(jwks.pathname).toBe('/.well-known/jwks.json');
    // … and no JWT secret is set or referred to anywhere
    for (const file of yamlFilesIn(K8S_DIR)) expect(readFileSync(join(K8S_DIR, file), 'utf8')).not.toContain('JWT_SECRET');
  });

  it('run every service with probes, resources, a locked-down container and a grace period above its shutdown limit', () => {
    const common = ofKind('ConfigMap').find((c) => c.metadata.name === 'conveyor-common') as Manifest;
    for (const deployment of deployments) {
      const template = podTemplate(deployment) as NonNullable<ReturnType<typeof podTemplate>>;
      const [container] = template.spec.containers;
      const port = container.ports[0].containerPort;
      const name = deployment.metadata.name;

      expect({ name, live: container.livenessProbe.httpGet.path }).toEqual({ name, live: '/health/live' });
      expect({ name, ready: container.readinessProbe.httpGet.path }).toEqual({ name, ready: '/health/ready' });
      expect({ name, startup: Boolean(container.startupProbe?.httpGet) }).toEqual({ name, startup: true });
      for (const kind of ['requests', 'limits']) expect(Object.keys(container.resources[kind]).sort()).toEqual(['cpu', 'memory']);
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(template.spec.securityContext.runAsNonRoot).toBe(true);
      expect(template.spec.topologySpreadConstraints?.length).toBeGreaterThan(0);
      expect(template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' });
      expect(envOf(deployment)['HTTP_PORT']).toBe(String(port));

      const shutdownMs = Number(envOf(deployment)['SHUTDOWN_TIMEOUT_MS'] ?? common.data?.['SHUTDOWN_TIMEOUT_MS']);
      const preStopSeconds = Number(container.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
      expect({ name, grace: template.spec.terminationGracePeriodSeconds > shutdownMs / 1000 + preStopSeconds }).toEqual({ name, grace: true });
    }
  });

  it('meet the restricted Pod Security level in every pod, the migration Job’s included', () => {
    const pods = applied.filter(({ manifest }) => podTemplate(manifest));
    expect(pods.length).toBe(deployments.length + 1);
    for (const { manifest } of pods) {
      const spec = podTemplate(manifest)?.spec;
      expect({ pod: manifest.metadata.name, security: spec.securityContext }).toMatchObject({
        pod: manifest.metadata.name,
        security: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      });
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const container of containersOf(manifest)) {
        expect({ container: container.name, security: container['securityContext'] }).toEqual({
          container: container.name,
          security: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        });
      }
    }
  });

  it('migrate every service with its own database role before rollout', () => {
    const [job] = ofKind('Job');
    const steps = containersOf(job).filter((c) => c.name.startsWith('migrate-'));
    expect(steps.map((c) => c.name)).toEqual(['migrate-auth', 'migrate-user', 'migrate-billing', 'migrate-jobs', 'migrate-webhook-delivery']);
    for (const step of steps) {
      const service = step.name.replace('migrate-', '');
      expect(step.command).toEqual(['node', 'main.js', 'migrate']);
      expect(step.image).toBe(`conveyor/${service}`);
      expect(step.env?.find((v) => v.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef?.name).toBe(`conveyor-${service}`);
    }
  });

  it('run RabbitMQ as a three-node cluster with the Prometheus plugin, and point AMQP_URL at it', () => {
    const [cluster] = ofKind('RabbitmqCluster');
    expect(cluster.apiVersion).toBe('rabbitmq.com/v1beta1');
    expect(cluster.metadata.name).toMatch(/^[a-z0-9-]+$/);
    expect(cluster.spec.replicas).toBe(3);
    expect(cluster.spec.resources.requests).toHaveProperty('memory');
    expect(cluster.spec.resources.limits).toHaveProperty('memory');
    expect(cluster.spec.rabbitmq.additionalPlugins).toContain('rabbitmq_prometheus');
    expect(cluster.spec.rabbitmq.additionalConfig).toMatch(/cluster_partition_handling\s*=\s*pause_minority/);

    const amqp = ofKind('Secret', all).find((s) => s.metadata.name === 'conveyor-amqp') as Manifest;
    expect(new URL(amqp.stringData?.['AMQP_URL'] ?? '').hostname).toBe(cluster.metadata.name);
  });
});

interface ScrapeConfig {
  job_name: string;
  dns_sd_configs?: { names: string[]; port: number }[];
  static_configs?: { targets: string[] }[];
  kubernetes_sd_configs?: unknown[];
}
interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

describe('Prometheus configuration', () => {
  const compose = parseYamlFile<{ global: object; rule_files: string[]; scrape_configs: ScrapeConfig[] }>(join(PROMETHEUS_DIR, 'prometheus.yml'));
  const kubernetes = parseYamlFile<{ global: object; rule_files: string[]; scrape_configs: ScrapeConfig[] }>(join(PROMETHEUS_DIR, 'prometheus.kubernetes.yml'));
  const ruleFiles = yamlFilesIn(join(PROMETHEUS_DIR, 'rules'));
  const rules = ruleFiles.flatMap((file) =>
    (parseYamlDocuments(join(PROMETHEUS_DIR, 'rules', file)) as { groups: { name: string; rules: Rule[] }[] }[]).flatMap((doc) => doc.groups.flatMap((group) => group.rules)),
  );

  it('scrapes every process, the jobs API and workers apart, and RabbitMQ’s plugin', () => {
    for (const config of [compose, kubernetes]) {
      expect(config.global).toBeDefined();
      expect(config.rule_files.length).toBeGreaterThan(0);
      const jobs = config.scrape_configs.map((c) => c.job_name);
      expect(new Set(jobs).size).toBe(jobs.length);
    }
    expect(compose.scrape_configs.map((c) => c.job_name).sort()).toEqual([...PROCESSES, 'rabbitmq'].sort());
    expect(compose.scrape_configs.find((c) => c.job_name === 'rabbitmq')?.static_configs?.[0].targets).toEqual(['rabbitmq:15692']);
    expect(kubernetes.scrape_configs.every((c) => c.kubernetes_sd_configs?.length)).toBe(true);
  });

  it('scrapes each process on the port its Deployment listens on', () => {
    for (const deployment of deployments) {
      const port = podTemplate(deployment)?.spec.containers[0].ports[0].containerPort;
      const scrape = compose.scrape_configs.find((c) => c.job_name === deployment.metadata.name);
      expect({ job: deployment.metadata.name, port: scrape?.dns_sd_configs?.[0].port }).toEqual({ job: deployment.metadata.name, port });
    }
  });

  it('has alert rules that are complete, name a runbook in docs/operations.md and select only existing series', () => {
    expect(rules.length).toBeGreaterThan(0);
    const anchors = headingAnchors(operationsDoc);
    // besides the code's series: scrape health, RabbitMQ's plugin, kube-state-metrics
    const external = (name: string) => name === 'up' || name.startsWith('rabbitmq_') || name.startsWith('kube_');

    const problems: string[] = [];
    for (const rule of rules) {
      const name = rule.alert ?? rule.record ?? '(unnamed)';
      if (!rule.alert || typeof rule.expr !== 'string') problems.push(`${name}: needs alert and expr`);
      if (!balanced(String(rule.expr))) problems.push(`${name}: unbalanced brackets`);
      if (rule.for !== undefined && !/^\d+[smhd]$/.test(rule.for)) problems.push(`${name}: bad for ${rule.for}`);
      if (!['warning', 'critical'].includes(rule.labels?.['severity'] ?? '')) problems.push(`${name}: severity`);
      if (!rule.annotations?.['summary']) problems.push(`${name}: summary`);
      const anchor = rule.annotations?.['runbook']?.split('#')[1];
      if (!anchor || !anchors.has(anchor)) problems.push(`${name}: runbook anchor ${anchor}`);
      for (const metric of metricNamesInPromql(String(rule.expr))) {
        if (!isKnownMetric(metric, knownMetrics) && !external(metric)) problems.push(`${name}: unknown series ${metric}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('alerts on the outbox, dead letters, 5xx, latency, failed jobs and readiness', () => {
    const exprs = rules.map((r) => r.expr).join('\n');
    for (const series of [
      'conveyor_outbox_oldest_pending_age_seconds',
      'outcome="dead_lettered"',
      'status=~"5.."',
      'http_request_duration_seconds_bucket',
      'conveyor_jobs_finished_total{status="failed"}',
      'kube_deployment_status_replicas_available',
    ]) {
      expect(exprs).toContain(series);
    }
  });
});

describe('Grafana provisioning and dashboard', () => {
  const dashboardsDir = join(GRAFANA_DIR, 'dashboards');
  const dashboards = readdirSync(dashboardsDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) }));
  const datasources = parseYamlFile<{ apiVersion: number; datasources: { uid: string; type: string; url: string }[] }>(join(GRAFANA_DIR, 'provisioning/datasources/prometheus.yml'));
  const providers = parseYamlFile<{ apiVersion: number; providers: { type: string; options: { path: string } }[] }>(join(GRAFANA_DIR, 'provisioning/dashboards/conveyor.yml'));

  interface Panel {
    type: string;
    title: string;
    id: number;
    datasource?: { uid: string };
    targets?: { expr: string; datasource?: { uid: string } }[];
    panels?: Panel[];
  }
  const panelsOf = (dashboard: { panels: Panel[] }): Panel[] => dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);

  it('provisions the Prometheus data source and a file provider for the dashboards', () => {
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources[0]).toMatchObject({ type: 'prometheus', uid: 'conveyor-prometheus' });
    expect(providers.apiVersion).toBe(1);
    expect(providers.providers[0]).toMatchObject({ type: 'file' });
    expect(providers.providers[0].options.path).toMatch(/^\//);
  });

  it('has the Conveyor overview, every panel on the provisioned data source', () => {
    const overview = dashboards.find(({ dashboard }) => dashboard.title === 'Conveyor overview');
    expect(overview?.dashboard.uid).toBe('conveyor-overview');
    for (const { dashboard } of dashboards) {
      const panels = panelsOf(dashboard);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const panel of panels.filter((p) => p.type !== 'row')) {
        expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({ panel: panel.title, uid: datasources.datasources[0].uid });
        expect(panel.targets?.length).toBeGreaterThan(0);
      }
    }
  });

  it('queries only series the code defines', () => {
    const unknown: string[] = [];
    for (const { file, dashboard } of dashboards) {
      const exprs = panelsOf(dashboard).flatMap((panel) => (panel.targets ?? []).map((t) => ({ where: `${file}: ${panel.title}`, expr: t.expr })));
      for (const variable of dashboard.templating?.list ?? []) {
        const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
        if (query) exprs.push({ where: `${file}: variable ${variable.name}`, expr: String(query).replace(/^label_values\(([^,]+),.*\)$/, '$1') });
      }
      for (const { where, expr } of exprs) {
        if (!balanced(expr)) unknown.push(`${where}: unbalanced brackets`);
        const names = metricNamesInPromql(expr);
        if (names.length === 0) unknown.push(`${where}: selects no series`);
        for (const name of names) if (!isKnownMetric(name, knownMetrics)) unknown.push(`${where}: ${name}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('shows HTTP, events, outbox, jobs, processes and webhook delivery', () => {
    const exprs = dashboards.flatMap(({ dashboard }) => panelsOf(dashboard).flatMap((p) => (p.targets ?? []).map((t) => t.expr))).join('\n');
    for (const series of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'conveyor_events_consumed_total',
      'conveyor_outbox_pending_rows',
      'conveyor_outbox_oldest_pending_age_seconds',
      'conveyor_jobs_finished_total',
      'conveyor_job_run_duration_seconds_bucket',
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_p99_seconds',
      'conveyor_webhook_attempts_total',
      'conveyor_webhook_attempt_duration_seconds_bucket',
    ]) {
      expect(exprs).toContain(series);
    }
  });
});

describe('docker-compose.yml', () => {
  interface ComposeService {
    depends_on?: Record<string, unknown> | string[];
    volumes?: string[];
    environment?: Record<string, unknown>;
  }
  const compose = parseYamlFile<{ services: Record<string, ComposeService>; volumes: Record<string, unknown> }>(
    resolve(REPO_ROOT, 'docker-compose.yml'),
  );
  const prometheus = parseYamlFile<{ scrape_configs: ScrapeConfig[] }>(join(PROMETHEUS_DIR, 'prometheus.yml'));
  const services = compose.services;

  it('runs every process Prometheus scrapes, the jobs API and workers apart', () => {
    for (const name of [...PROCESSES, 'rabbitmq', 'prometheus', 'grafana', 'jaeger']) expect(Object.keys(services)).toContain(name);
    const scraped = prometheus.scrape_configs.flatMap((c) => [...(c.dns_sd_configs ?? []).flatMap((d) => d.names), ...(c.static_configs ?? []).flatMap((s) => s.targets.map((t) => t.split(':')[0]))]);
    for (const host of scraped) expect(Object.keys(services)).toContain(host);
    expect(services['jobs-api']?.environment?.['JOBS_ROLE']).toBe('api');
    expect(services['jobs-worker']?.environment?.['JOBS_ROLE']).toBe('worker');
  });

  it('depends only on services that exist, and mounts only files and volumes that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      const dependencies = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const dependency of dependencies) expect(`${name} → ${dependency}: ${dependency in services}`).toBe(`${name} → ${dependency}: true`);
      for (const mount of service.volumes ?? []) {
        const source = mount.split(':')[0] as string;
        if (source.startsWith('./')) expect(`${name} mounts ${source}: ${existsSync(resolve(REPO_ROOT, source))}`).toBe(`${name} mounts ${source}: true`);
        else expect(Object.keys(compose.volumes)).toContain(source);
      }
    }
  });
});
