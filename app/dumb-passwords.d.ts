declare module "dumb-passwords" {
  const api: { check(password: string): boolean };
  export default api;
}
