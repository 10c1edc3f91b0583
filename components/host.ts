import * as pulumi from "@pulumi/pulumi";

/**
 * A server the plan runs on. The plan and the drivers know nothing about where it came from:
 * an AWS instance, a server the user already has, or a disposable local one.
 */
export interface Host {
  /** Short, stable name used in resource names and logs ("web-1"). */
  name: string;
  /** Address SSH connects to (a public IP, a DNS name, or a test host's address). */
  address: pulumi.Input<string>;
  /** SSH user with passwordless sudo ("ubuntu" on Ubuntu's cloud images). */
  user: string;
  /** SSH port. */
  port: number;
  /**
   * Changes when the machine itself is replaced (an instance id), so every step runs again on
   * the new machine even where its address stays the same (an Elastic IP). Defaults to address.
   */
  identity?: pulumi.Input<string>;
  /**
   * What only this host knows and a step reads (Step.facts), by name: an AWS instance's data
   * device. None on servers you already have.
   */
  facts?: Record<string, pulumi.Input<string>>;
  /** Resources that must exist before the first SSH attempt (the instance, its Elastic IP). */
  dependsOn?: pulumi.Resource[];
}
