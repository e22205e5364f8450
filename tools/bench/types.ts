/** One measured figure next to its baseline, both taken in the same run on the same machine. */
export interface BenchFigure {
    /** What was measured, e.g. "100 B records: user records/s". */
    name: string;
    unit: string;
    value: number;
    /** The baseline measured in the same run (the fair peer, or the target the figure is held to). */
    baseline: number;
    baselineName: string;
    /** value / baseline: the number to quote on a shared, noisy machine. */
    ratio: number;
    /** Runs the figure is the median of (value, baseline and ratio each their own median); set by the harness, or by a section that takes its own samples. */
    runs?: number;
    /** The smallest value, baseline and ratio over the runs (each its own run's). */
    min?: Spread;
    max?: Spread;
}

/** One end of the range of a figure over its runs. */
export interface Spread {
    value: number;
    baseline: number;
    ratio: number;
}

export interface BenchSection {
    /** Stable key in the JSON report: producer, producerReshard, consumer, coldStart, autoscaler, preview. */
    key: string;
    title: string;
    /** How it was measured, one paragraph (copied into BENCHMARKS.md). */
    method: string;
    figures: BenchFigure[];
}

export function figure(name: string, unit: string, value: number, baselineName: string, baseline: number): BenchFigure {
    return { name, unit, value, baselineName, baseline, ratio: ratioOf(value, baseline) };
}

export const ratioOf = (value: number, baseline: number): number => (baseline === 0 ? 0 : value / baseline);
