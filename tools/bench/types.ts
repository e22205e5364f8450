/** One measured figure next to its baseline, both taken in the same run on the same machine. */
export interface BenchFigure {
    /** What was measured, e.g. "100 B records: user records/s". */
    name: string;
    unit: string;
    value: number;
    /** The baseline measured in the same run (the naive approach, the reference document's way). */
    baseline: number;
    baselineName: string;
    /** value / baseline: the number to quote on a shared, noisy machine. */
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
    return { name, unit, value, baselineName, baseline, ratio: baseline === 0 ? 0 : value / baseline };
}
