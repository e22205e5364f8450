/** Why a Kinesis record cannot be read; the message is the reason that gets logged. */
export class RecordDecodeError extends Error {
    constructor(
        message: string,
        /** The user record at fault inside an aggregate, when known. */
        readonly subSequenceNumber?: number,
    ) {
        super(message);
        this.name = "RecordDecodeError";
    }
}
