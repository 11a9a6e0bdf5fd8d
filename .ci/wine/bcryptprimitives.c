/* A stand-in for Windows' bcryptprimitives.dll, which Wine 8 (Debian 12) lacks: Rust's standard
 * library imports ProcessPrng from it for random numbers (hash seeds, temporary file names).
 * Built with mingw-w64 by .ci/windows and put in the Wine prefix's system32; only for the CI's
 * Wine smoke test, never shipped. ProcessPrng fills the buffer and always succeeds on Windows. */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
