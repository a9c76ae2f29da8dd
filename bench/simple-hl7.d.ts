// simple-hl7 ships no types: the part of its TCP client the HL7 bench calls.
declare module 'simple-hl7' {
  interface ParsedMessage {
    /** The message with segments separated by newlines. */
    log(): string
  }
  interface TcpClient {
    send(message: string, callback: (error: unknown, ack: ParsedMessage) => void): void
    close(): void
  }
  const hl7: {
    Server: {
      createTcpClient: new (options: { host: string; port: number; keepalive: boolean }) => TcpClient
    }
  }
  export default hl7
}
