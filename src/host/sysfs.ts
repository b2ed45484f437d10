import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Reads a small sysfs/procfs file; undefined when it does not exist or cannot be read. */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function readNumber(path: string): Promise<number | undefined> {
  const text = await readText(path);
  if (text === undefined) return undefined;
  const v = Number(text.trim());
  return Number.isFinite(v) ? v : undefined;
}

// hwmon chip names of CPU sensors (drivers coretemp, k10temp, zenpower; SoC thermal on ARM boards).
const CPU_CHIPS = ['coretemp', 'k10temp', 'zenpower', 'cpu_thermal', 'cpu-thermal', 'soc_thermal', 'cpu'];
// Tdie is the real die temperature on Ryzen/Threadripper; Tctl carries a fan-control offset there.
const CPU_LABELS = [/^Tdie$/i, /^Tctl$/i, /^Package id \d+$/i, /^Physical id \d+$/i];
// thermal_zone types, best first; acpitz is a motherboard zone, only a last resort.
const ZONE_TYPES = ['x86_pkg_temp', 'cpu-thermal', 'cpu_thermal', 'soc_thermal', 'soc-thermal', 'acpitz'];

/**
 * Finds the one file that best gives the CPU temperature, once at start; polling then reads only
 * that file. hwmon first (documented in the kernel's Documentation/hwmon/sysfs-interface.rst), then
 * thermal zones. Returns undefined when the machine exposes none (VMs, most containers).
 */
export async function findCpuTemperatureFile(sysRoot: string): Promise<string | undefined> {
  const hwmonDir = join(sysRoot, 'class/hwmon');
  const chips: { dir: string; rank: number }[] = [];
  for (const entry of await list(hwmonDir)) {
    const dir = join(hwmonDir, entry);
    const name = (await readText(join(dir, 'name')))?.trim() ?? '';
    const rank = CPU_CHIPS.indexOf(name);
    if (rank >= 0) chips.push({ dir, rank });
  }
  chips.sort((a, b) => a.rank - b.rank);
  for (const { dir } of chips) {
    const inputs = (await list(dir)).filter((f) => /^temp\d+_input$/.test(f)).sort(byNumber);
    if (!inputs.length) continue;
    let best: { file: string; rank: number } | undefined;
    for (const input of inputs) {
      const label = (await readText(join(dir, input.replace('_input', '_label'))))?.trim();
      const rank = label ? CPU_LABELS.findIndex((re) => re.test(label)) : -1;
      if (rank >= 0 && (!best || rank < best.rank)) best = { file: input, rank };
    }
    const file = join(dir, best?.file ?? inputs[0]!);
    if (validCelsius(await readNumber(file))) return file;
  }

  const thermalDir = join(sysRoot, 'class/thermal');
  const zones: { file: string; rank: number }[] = [];
  for (const entry of await list(thermalDir)) {
    if (!entry.startsWith('thermal_zone')) continue;
    const type = (await readText(join(thermalDir, entry, 'type')))?.trim() ?? '';
    const rank = ZONE_TYPES.indexOf(type);
    zones.push({ file: join(thermalDir, entry, 'temp'), rank: rank < 0 ? ZONE_TYPES.length : rank });
  }
  zones.sort((a, b) => a.rank - b.rank || a.file.localeCompare(b.file, 'en', { numeric: true }));
  for (const z of zones) if (validCelsius(await readNumber(z.file))) return z.file;
  return undefined;
}

/** °C from a millidegree file; undefined when unreadable or implausible (drivers report 0 or -273 when idle). */
export async function readCelsius(file: string): Promise<number | undefined> {
  const milli = await readNumber(file);
  return validCelsius(milli) ? Math.round(milli! / 100) / 10 : undefined;
}

function validCelsius(milli: number | undefined): boolean {
  return milli !== undefined && milli > 0 && milli < 150_000;
}

/** `scaling_cur_freq` files of every CPU with cpufreq; empty when the kernel has no cpufreq (many VMs). */
export async function findFrequencyFiles(sysRoot: string): Promise<string[]> {
  const cpuDir = join(sysRoot, 'devices/system/cpu');
  const files: string[] = [];
  for (const entry of (await list(cpuDir)).filter((e) => /^cpu\d+$/.test(e)).sort(byNumber)) {
    const file = join(cpuDir, entry, 'cpufreq/scaling_cur_freq');
    if ((await readNumber(file)) !== undefined) files.push(file);
  }
  return files;
}

/** Average current frequency in MHz (the files are in kHz). */
export async function readFrequencyMHz(files: readonly string[]): Promise<number | undefined> {
  const values = (await Promise.all(files.map(readNumber))).filter((v): v is number => v !== undefined && v > 0);
  if (!values.length) return undefined;
  return Math.round(values.reduce((a, b) => a + b, 0) / values.length / 1000);
}

export interface DmiInfo {
  vendor?: string;
  product?: string;
}

/** Board vendor and product from DMI (x86 only); placeholders some firmware writes are dropped. */
export async function readDmi(sysRoot: string): Promise<DmiInfo> {
  const clean = (s: string | undefined) => {
    const v = s?.trim();
    return v && !/^(to be filled by o\.e\.m\.|default string|system product name|system manufacturer|not specified)$/i.test(v) ? v : undefined;
  };
  const dir = join(sysRoot, 'class/dmi/id');
  const [vendor, product] = await Promise.all([readText(join(dir, 'sys_vendor')), readText(join(dir, 'product_name'))]);
  return { vendor: clean(vendor), product: clean(product) };
}

function byNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
