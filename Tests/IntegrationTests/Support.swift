// placeholder so the target builds until the integration tests land
