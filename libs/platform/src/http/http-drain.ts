import { Injectable } from '@nestjs/common';

/**
 * Long-lived responses (event streams) that must end when the service stops taking requests:
 * the HTTP server's close waits for every open connection, so a stream nobody ends would hold
 * the shutdown until its deadline. The clients of such responses reconnect, to another instance.
 */
@Injectable()
export class HttpDrain {
  private readonly open = new Set<() => void>();

  /** `end` is called once when the service stops; call the returned function when the response ends first. */
  register(end: () => void): () => void {
    this.open.add(end);
    return () => this.open.delete(end);
  }

  /** Ends every registered response. */
  endAll(): void {
    const ends = [...this.open];
    this.open.clear();
    for (const end of ends) end();
  }
}
