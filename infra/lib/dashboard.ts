import type * as pulumi from "@pulumi/pulumi";

/** One line of a metric widget: namespace, metric, dimension pairs, then rendering options. */
type MetricLine = (pulumi.Input<string> | { stat?: string; label?: string; yAxis?: "left" | "right" })[];

export interface MetricWidget {
    type: "metric";
    width: number;
    height: number;
    properties: {
        title: string;
        region: pulumi.Input<string>;
        metrics: MetricLine[];
        stat: string;
        period: number;
        view: "timeSeries";
        yAxis?: { left?: { min?: number; label?: string } };
    };
}

/** A time-series widget, half the dashboard wide; `stat` applies to lines that set none. */
export function metricWidget(title: string, region: pulumi.Input<string>, stat: string, metrics: MetricLine[], unit?: string): MetricWidget {
    return {
        type: "metric",
        width: 12,
        height: 6,
        properties: { title, region, metrics, stat, period: 60, view: "timeSeries", yAxis: { left: { min: 0, ...(unit ? { label: unit } : {}) } } },
    };
}
