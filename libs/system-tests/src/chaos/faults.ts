import type { ServiceName } from '../support/service-process';
import { SERVICES, type Cluster, type Instance } from './cluster';
import type { WebhookReceiver } from './webhook-receiver';

export interface FaultRecord {
  /** Seconds since the fault window opened. */
  at: number;
  kind: 'sigkill' | 'rabbitmq-restart' | 'postgres-restart' | 'receiver-fail' | 'receiver-hang';
  target: string;
  /** How long the target was down or misbehaving on purpose, in seconds. */
  downSeconds: number;
  /** From the fault to the platform being whole again (all instances ready), in seconds. */
  recoverySeconds?: number;
  error?: string;
}

export interface FaultPlan {
  durationMs: number;
  /** Pause between the end of one kill's recovery and the next kill. */
  killEveryMs: number;
  /** The least number of kills per service. */
  killsPerService: number;
  receiverTroubleMs: number;
  infraDownMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const shuffle = <T>(items: T[]) => items.map((item) => [Math.random(), item] as const).sort((a, b) => a[0] - b[0]).map(([, item]) => item);

/**
 * Runs the fault schedule on three tracks at once: SIGKILLs of service processes one after
 * another (every service at least `killsPerService` times, then random ones until the window
 * closes), a restart of the RabbitMQ node at 30 % and of the Postgres server (an immediate
 * stop, as in a crash) at 60 % of the window, and a receiver that fails (20 %) or hangs (70 %).
 */
export async function runFaults(cluster: Cluster, receivers: WebhookReceiver[], plan: FaultPlan, log: (line: string) => void): Promise<FaultRecord[]> {
  const records: FaultRecord[] = [];
  const started = Date.now();
  const since = () => Math.round((Date.now() - started) / 100) / 10;
  const at = (share: number) => sleep(Math.max(0, started + plan.durationMs * share - Date.now()));
  const wholeAgain = async (from: number) => {
    while (!(await cluster.allReady())) await sleep(250);
    return Math.round((Date.now() - from) / 100) / 10;
  };

  const kills = async () => {
    const planned: ServiceName[] = shuffle(SERVICES.flatMap((service) => Array.from({ length: plan.killsPerService }, () => service)));
    while (planned.length > 0 || Date.now() - started < plan.durationMs) {
      const service = planned.shift() ?? SERVICES[Math.floor(Math.random() * SERVICES.length)];
      const candidates = cluster.instancesOf(service).filter((instance) => instance.up);
      const victim: Instance | undefined = candidates[Math.floor(Math.random() * candidates.length)];
      if (!victim) {
        await sleep(1_000);
        continue;
      }
      const record: FaultRecord = { at: since(), kind: 'sigkill', target: victim.id, downSeconds: 0 };
      records.push(record);
      const killedAt = Date.now();
      await cluster.kill(victim);
      log(`${record.at}s SIGKILL ${victim.id}`);
      await sleep(1_000 + Math.random() * 2_000);
      record.downSeconds = Math.round((Date.now() - killedAt) / 100) / 10;
      for (let tries = 0; ; tries++) {
        try {
          await cluster.startInstance(victim);
          break;
        } catch (error) {
          record.error = String(error);
          if (tries >= 2) throw error;
        }
      }
      record.recoverySeconds = await wholeAgain(killedAt);
      log(`${since()}s ${victim.id} back after ${record.recoverySeconds}s`);
      await sleep(plan.killEveryMs);
    }
  };

  const infrastructure = async () => {
    await at(0.3);
    const brokerRecord: FaultRecord = { at: since(), kind: 'rabbitmq-restart', target: 'rabbitmq', downSeconds: 0 };
    records.push(brokerRecord);
    const brokerStopped = Date.now();
    log(`${brokerRecord.at}s RabbitMQ stop`);
    await cluster.broker.stop();
    await sleep(plan.infraDownMs);
    await cluster.broker.start();
    brokerRecord.downSeconds = Math.round((Date.now() - brokerStopped) / 100) / 10;
    brokerRecord.recoverySeconds = await wholeAgain(brokerStopped);
    log(`${since()}s RabbitMQ back; platform whole after ${brokerRecord.recoverySeconds}s`);

    await at(0.6);
    const pgRecord: FaultRecord = { at: since(), kind: 'postgres-restart', target: 'postgres (immediate stop)', downSeconds: 0 };
    records.push(pgRecord);
    const pgStopped = Date.now();
    log(`${pgRecord.at}s Postgres stop (immediate)`);
    await cluster.postgres.stop('immediate');
    await sleep(plan.infraDownMs);
    await cluster.postgres.start();
    pgRecord.downSeconds = Math.round((Date.now() - pgStopped) / 100) / 10;
    pgRecord.recoverySeconds = await wholeAgain(pgStopped);
    log(`${since()}s Postgres back; platform whole after ${pgRecord.recoverySeconds}s`);
  };

  const receiverTrouble = async () => {
    for (const [share, mode, receiver] of [
      [0.2, 'fail', receivers[0]],
      [0.7, 'hang', receivers[1 % receivers.length]],
    ] as const) {
      await at(share);
      const record: FaultRecord = { at: since(), kind: mode === 'fail' ? 'receiver-fail' : 'receiver-hang', target: `receiver of client ${receivers.indexOf(receiver)}`, downSeconds: plan.receiverTroubleMs / 1000 };
      records.push(record);
      log(`${record.at}s ${record.target} starts to ${mode}`);
      receiver.setMode(mode);
      await sleep(plan.receiverTroubleMs);
      receiver.setMode('ok');
      log(`${since()}s ${record.target} answers again`);
    }
  };

  await Promise.all([kills(), infrastructure(), receiverTrouble()]);
  return records;
}
