export interface ServiceGeneratorSchema {
  name: string;
  feature?: string;
  httpPort?: number;
  skipFormat?: boolean;
}
