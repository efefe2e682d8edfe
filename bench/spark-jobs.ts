/**
 * Counts the Spark jobs the Connect server's application runs, from the REST API of its web UI. The UI port is
 * not a setting (Spark takes 4040, or the next free one when another stack holds it), so the application is
 * found by its id, which this stack's master lists.
 */
export interface SparkJob {
  jobId: number;
  name: string;
  description?: string;
  status: string;
  submissionTime?: string;
  numTasks: number;
  stageIds: number[];
  jobTags?: string[];
}

export interface SparkJobs {
  /** Every job of the application so far, oldest first. */
  list(): Promise<SparkJob[]>;
}

const UI_PORTS = Array.from({ length: 17 }, (_, i) => 4040 + i); // Spark's spark.port.maxRetries default: 16

async function json<T>(url: string): Promise<T | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return response.ok ? ((await response.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** The Connect application's job list; undefined when its UI cannot be found (the bench then says so). */
export async function connectJobs(masterUiUrl: string): Promise<SparkJobs | undefined> {
  const master = await json<{ activeapps: { id: string }[] }>(`${masterUiUrl}/json/`);
  const appIds = new Set(master?.activeapps.map((a) => a.id));
  for (const port of UI_PORTS) {
    const apps = await json<{ id: string }[]>(`http://127.0.0.1:${port}/api/v1/applications`);
    const app = apps?.find((a) => appIds.has(a.id));
    if (!app) continue;
    const url = `http://127.0.0.1:${port}/api/v1/applications/${app.id}/jobs`;
    return {
      list: async () => {
        const jobs = await json<SparkJob[]>(url);
        if (!jobs) throw new Error(`the Spark UI stopped answering at ${url}`);
        return jobs.sort((a, b) => a.jobId - b.jobId);
      },
    };
  }
  return undefined;
}

/** The highest job id so far (-1: none), to list only the jobs of what runs next. */
export async function lastJobId(jobs: SparkJobs): Promise<number> {
  return Math.max(-1, ...(await jobs.list()).map((j) => j.jobId));
}

/** The jobs after `afterJobId` submitted between `from` and `to` (ISO instants; the UI's times are GMT). */
export function jobsBetween(all: SparkJob[], afterJobId: number, from: string, to: string): SparkJob[] {
  const [start, end] = [Date.parse(from), Date.parse(to)];
  return all.filter((j) => {
    const at = Date.parse((j.submissionTime ?? '').replace('GMT', 'Z'));
    return j.jobId > afterJobId && at >= start && at <= end;
  });
}

/** Whether a job was submitted under the session tag `tag` (Spark Connect prefixes the tags a client adds). */
export function jobHasTag(job: SparkJob, tag: string): boolean {
  return (job.jobTags ?? []).some((t) => t === tag || t.endsWith(`_Tag_${tag}`));
}
