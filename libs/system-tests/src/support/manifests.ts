import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';

/** Reading and inspecting the deployment material under infrastructure/ for the manifest spec. */

// Not taken from ./service-process, which loads the database test helpers this spec needs none of.
export const REPO_ROOT = resolve(__dirname, '../../../..');

export const K8S_DIR = resolve(REPO_ROOT, 'infrastructure/k8s');
export const PROMETHEUS_DIR = resolve(REPO_ROOT, 'infrastructure/prometheus');
export const GRAFANA_DIR = resolve(REPO_ROOT, 'infrastructure/grafana');

/** Not applied by the kustomization: real Secrets come from the installation's secret store. */
export const EXAMPLE_SECRETS_FILE = 'secrets.example.yaml';
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/** A Kubernetes object as parsed from YAML; only the fields the checks read are typed. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // The shape depends on the kind; each check narrows what it reads.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface LoadedManifest {
  file: string;
  manifest: Manifest;
}

/** The kinds we validate with kubernetes-models, by `apiVersion/kind`. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/**
 * Checks one object against the Kubernetes JSON schema of its kind. Throws, naming the file and
 * object, for a kind we have no schema for; RabbitmqCluster and Kustomization are checked by
 * their own specs instead and return false here.
 */
export function validateAgainstSchema({ file, manifest }: LoadedManifest): boolean {
  const key = `${manifest.apiVersion}/${manifest.kind}`;
  if (key === 'rabbitmq.com/v1beta1/RabbitmqCluster' || key === 'kustomize.config.k8s.io/v1beta1/Kustomization') return false;
  const Model = MODELS[key];
  if (!Model) throw new Error(`${file}: no schema for ${key} (${manifest.metadata?.name})`);
  try {
    new Model(manifest as never).validate();
  } catch (error) {
    throw new Error(`${file}: ${manifest.kind} ${manifest.metadata?.name} does not fit its schema: ${(error as Error).message}`);
  }
  return true;
}

export function yamlFilesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => file.split('\\').join('/'))
    .sort();
}

/** Every document of every YAML file under infrastructure/k8s, with the file it came from. */
export function loadK8sManifests(): LoadedManifest[] {
  return yamlFilesIn(K8S_DIR).flatMap((file) => parseYamlDocuments(join(K8S_DIR, file)).map((manifest) => ({ file, manifest: manifest as Manifest })));
}

/** All documents of a YAML file; a syntax error fails with the file's name. */
export function parseYamlDocuments(path: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'));
  const list = Array.isArray(documents) ? documents : [documents];
  for (const document of list) {
    if (document.errors.length) throw new Error(`${relative(REPO_ROOT, path)}: ${document.errors.map((e) => e.message).join('; ')}`);
  }
  return list.map((document) => document.toJS()).filter((value) => value !== null && value !== undefined);
}

/** One YAML document, with `<<` merge keys applied (docker-compose uses them). */
export function parseYamlFile<T>(path: string): T {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as T;
}

/** A container as the checks read it. */
export interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  [field: string]: unknown;
}
export interface KeyRef {
  name: string;
  key: string;
}

/** The pod template of a Deployment or Job, or undefined for other kinds. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function podTemplate(manifest: Manifest): { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: any } | undefined {
  return manifest.kind === 'Deployment' || manifest.kind === 'Job' ? manifest.spec?.template : undefined;
}

export function containersOf(manifest: Manifest): Container[] {
  const template = podTemplate(manifest);
  return template ? [...(template.spec.initContainers ?? []), ...(template.spec.containers ?? [])] : [];
}

/** True when every label of `selector` is on `labels` with the same value. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** The keys a Secret or ConfigMap defines (data and stringData). */
export function keysOf(manifest: Manifest): string[] {
  return [...Object.keys(manifest.data ?? {}), ...Object.keys(manifest.stringData ?? {})];
}

// -------------------------------------------------------------------------------------------
// Metric names

/** Files that define Prometheus series with prom-client (`name: '…'`). */
function metricDefinitionFiles(): string[] {
  const services = readdirSync(resolve(REPO_ROOT, 'services'));
  const serviceFiles = services.flatMap((service) => {
    const src = resolve(REPO_ROOT, 'services', service, 'src');
    return readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((file) => /metrics\.ts$/.test(file) && !file.endsWith('.spec.ts'))
      .map((file) => join(src, file));
  });
  return [resolve(REPO_ROOT, 'libs/metrics/src/registry.ts'), ...serviceFiles];
}

/** Every metric name the code defines, plus prom-client's default process and Node series. */
export function metricNamesInCode(): Set<string> {
  const names = new Set<string>();
  for (const file of metricDefinitionFiles()) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\bname: '([a-zA-Z_:][a-zA-Z0-9_:]*)'/g)) names.add(match[1]);
  }
  // collectDefaultMetrics(): the names are string constants in prom-client's metric modules.
  const defaults = resolve(REPO_ROOT, 'node_modules/prom-client/lib/metrics');
  for (const file of readdirSync(defaults).filter((f) => f.endsWith('.js'))) {
    for (const match of readFileSync(join(defaults, file), 'utf8').matchAll(/'((?:process|nodejs)_[a-z0-9_]+)'/g)) names.add(match[1]);
  }
  return names;
}

const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects. Label matchers, label lists of `by`/`on`
 * and friends, strings, durations and Grafana variables are dropped first; what is left and
 * is neither a function, a keyword nor a number is a metric name.
 */
export function metricNamesInPromql(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names: string[] = [];
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const after = stripped.slice((match.index ?? 0) + word.length).trimStart();
    if (after.startsWith('(') || PROMQL_WORDS.has(word.toLowerCase())) continue;
    names.push(word);
  }
  return names;
}

/** A selected name is known when the code defines it, or it is a histogram's `_bucket`/`_sum`/`_count`. */
export function isKnownMetric(name: string, known: Set<string>): boolean {
  return known.has(name) || known.has(name.replace(/_(bucket|sum|count)$/, ''));
}

/** True when the parentheses, brackets and braces of an expression pair up. */
export function balanced(expr: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (const char of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if ('([{'.includes(char)) stack.push(char);
    else if (char in pairs && stack.pop() !== pairs[char]) return false;
  }
  return stack.length === 0;
}

/** Markdown heading anchors as GitHub makes them (`## A stuck outbox` → `a-stuck-outbox`). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    anchors.add(
      match[1]
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return anchors;
}
