// The consumer's on-failure destination, locally: an in-memory queue holding what Lambda sends to the
// SQS dead-letter queue when it discards a batch — metadata only, shaped like Lambda's invocation
// record for a Kinesis source (the records stay in the stream, replayable from the sequence range
// until the retention ends).

export type FailureCondition =
    /** Documented: the retries (MaximumRetryAttempts) were used up. */
    | "RetryAttemptsExhausted"
    /**
     * The records reached MaximumRecordAgeInSeconds. Lambda documents no distinct value for this
     * case (its example shows RetryAttemptsExhausted only); the local store names it so the report
     * can tell the two apart.
     */
    | "RecordAgeExceeded";

/** Lambda's on-failure invocation record for a Kinesis event source mapping. */
export interface OnFailureMessage {
    requestContext: {
        requestId: string;
        functionArn: string;
        condition: FailureCondition;
        approximateInvokeCount: number;
    };
    responseContext: {
        statusCode: number;
        executedVersion: string;
        /** "Unhandled" when the function failed; absent when it returned (partial batch failure). */
        functionError?: string;
    };
    version: "1.0";
    /** ISO time the batch was discarded. */
    timestamp: string;
    KinesisBatchInfo: {
        shardId: string;
        startSequenceNumber: string;
        endSequenceNumber: string;
        /** ISO times. */
        approximateArrivalOfFirstRecord: string;
        approximateArrivalOfLastRecord: string;
        batchSize: number;
        streamArn: string;
    };
}

export interface FailureDestination {
    send(message: OnFailureMessage): void | Promise<void>;
}

/** The SQS queue stand-in: messages in arrival order. */
export class LocalFailureQueue implements FailureDestination {
    readonly messages: OnFailureMessage[] = [];
    private readonly listeners: ((m: OnFailureMessage) => void)[] = [];

    send(message: OnFailureMessage): void {
        this.messages.push(message);
        for (const l of this.listeners) l(message);
    }

    onMessage(listener: (m: OnFailureMessage) => void): void {
        this.listeners.push(listener);
    }

    /** Records in all discarded batches. */
    get records(): number {
        return this.messages.reduce((n, m) => n + m.KinesisBatchInfo.batchSize, 0);
    }
}
