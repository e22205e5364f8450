// Managed Service for Apache Flink applications reading the stream: state survives restarts only
// with checkpointing, or a restart replays from wherever the application's sources start.
export * from "./flink-application-checkpointing";
