// GatewayTesting module.
