// A `GET /model` answer as the server gives it (a subset of casegraph.graph.model).
export const MODEL = {
  kinds: [
    { name: "Person", description: "A human being.", properties: {}, display: { color: "#3b82f6", shape: "ellipse" } },
    { name: "Organization", description: "A company.", properties: {}, display: { color: "#f59e0b", shape: "round-rectangle" } },
    { name: "Location", description: "A place.", properties: {}, display: { color: "#10b981", shape: "diamond" } },
    { name: "Case", description: "A case.", properties: {}, display: { color: "#8b5cf6", shape: "hexagon" } },
  ],
  relationships: [
    { name: "LEADS", description: "", sources: ["Person"], targets: ["Organization"], properties: {}, identity: [], marks_victim: null, control: true, single_holder: true },
    { name: "OWNS", description: "", sources: ["Person"], targets: ["Organization"], properties: {}, identity: [], marks_victim: null, control: true, single_holder: false },
    { name: "VICTIM_IN", description: "", sources: ["Person"], targets: ["Case"], properties: {}, identity: [], marks_victim: "from", control: false, single_holder: false },
    { name: "PAID", description: "", sources: ["Person"], targets: ["Person"], properties: {}, identity: ["amount"], marks_victim: null, control: false, single_holder: false },
  ],
  protection_levels: ["all", "minors"],
  identifying_properties: ["name"],
};
