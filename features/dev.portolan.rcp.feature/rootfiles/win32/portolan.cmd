@echo off
rem Starts the Portolan product from this installation directory (Windows). Maven Central has no native Eclipse
rem launcher, so this runs the launcher jar. Needs a Java 21+ runtime: %JAVA_HOME%\bin\java.exe, else java on PATH.
rem Arguments are passed on (e.g. -data DIR for the workspace). docs/platforms.md
setlocal
set "HERE=%~dp0"
set "JAVA="
if defined JAVA_HOME if exist "%JAVA_HOME%\bin\java.exe" set "JAVA=%JAVA_HOME%\bin\java.exe"
if not defined JAVA for %%j in (java.exe) do if not "%%~$PATH:j"=="" set "JAVA=%%~$PATH:j"
if not defined JAVA (
  echo portolan: no Java found: install a Java 21+ runtime and set JAVA_HOME or put java on PATH 1>&2
  exit /b 2
)
set "LAUNCHER="
for %%f in ("%HERE%plugins\org.eclipse.equinox.launcher_*.jar") do set "LAUNCHER=%%~ff"
if not defined LAUNCHER (
  echo portolan: no plugins\org.eclipse.equinox.launcher_*.jar in %HERE%: is this a Portolan installation? 1>&2
  exit /b 2
)
set "LOGGING="
if exist "%HERE%logging.properties" set LOGGING="-Djava.util.logging.config.file=%HERE%logging.properties"
"%JAVA%" -XX:TieredStopAtLevel=1 -Dosgi.requiredJavaVersion=21 -Dsun.net.httpserver.nodelay=true %LOGGING% -jar "%LAUNCHER%" -consoleLog %*
exit /b %ERRORLEVEL%
